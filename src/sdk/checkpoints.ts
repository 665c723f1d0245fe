// `sandbox.checkpoints`: record the project's desired state and which units run, and converge back to it later.
// Thin over `POST/GET /v1/checkpoints`, `GET /v1/checkpoints/{name}`, `POST /v1/checkpoints/{name}/restore` and
// `DELETE /v1/checkpoints/{name}`.

import type { ApiClient } from '../daemon/api-client.js';
import { requestJson } from '../daemon/http-transport.js';
import type { UnitPhase } from '../engine/types.js';
import { call } from './errors.js';

/** One unit as a checkpoint recorded it. */
export interface CheckpointUnit {
  name: string;
  /** True when it was running: a restore starts it. */
  running: boolean;
  /** Its spec fingerprint when recorded (a restore restarts a unit whose config changed since). */
  fingerprint: string;
  phase: UnitPhase;
}

/** A checkpoint: `{ name, created_at, project, units }`. */
export interface Checkpoint {
  name: string;
  /** ISO 8601. */
  created_at: string;
  project: string;
  units: CheckpointUnit[];
}

/** What a restore did: the seed's three lists (disjoint), and more detail beside them. */
export interface RestoreResult {
  /** Recorded as running, not running before the restore, ready after it. */
  started_services: string[];
  /** Running before the restore and down after it. */
  stopped_services: string[];
  /** Recorded as running but not ready after the restore. */
  failed_services: string[];
  /** Why each failed unit failed. */
  failures?: Record<string, string>;
  /** Running before and after, restarted because their config changed since the checkpoint. */
  restarted_services?: string[];
  /** Running before and after on the same run. */
  unchanged_services?: string[];
  /** Units the checkpoint lacks, removed. */
  deleted_services?: string[];
  /** True when the restore stopped waiting before every unit settled. */
  timed_out?: boolean;
}

const seg = (name: string): string => encodeURIComponent(name);

/** Named snapshots of the desired state and of which units were running. */
export class Checkpoints {
  /** @internal Built by `Sandbox.connect`. */
  constructor(private readonly client: ApiClient) {}

  #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call(() => requestJson<T>(this.client.socketPath, method, path, body, { timeoutMs: 0 }));
  }

  /** Records the desired state, the units' fingerprints and which units are running; a taken name is a 409 unless `overwrite`. */
  create(name: string, options: { overwrite?: boolean } = {}): Promise<Checkpoint> {
    return this.#json('POST', '/v1/checkpoints', { name, ...options });
  }

  /** Every checkpoint, oldest first. */
  list(): Promise<Checkpoint[]> {
    return this.#json('GET', '/v1/checkpoints');
  }

  /** One checkpoint (404 when there is none). */
  get(name: string): Promise<Checkpoint> {
    return this.#json('GET', `/v1/checkpoints/${seg(name)}`);
  }

  /**
   * Converges back to the checkpoint: units that were running start (restarted when their config changed since),
   * the others stop. Resolves once they settled (or `timeout_ms` passed) with `{ started_services,
   * stopped_services, failed_services, ... }`; a restore that fails half way lists the failures and converges the rest.
   */
  restore(name: string, options: { timeout_ms?: number } = {}): Promise<RestoreResult> {
    return this.#json('POST', `/v1/checkpoints/${seg(name)}/restore`, options);
  }

  /** Removes a checkpoint (the units are left as they are). */
  delete(name: string): Promise<{ name: string; deleted: true }> {
    return this.#json('DELETE', `/v1/checkpoints/${seg(name)}`);
  }
}
