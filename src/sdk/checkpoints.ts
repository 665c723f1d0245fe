// `sandbox.checkpoints`: record the project's desired state and which units run, and converge back to it later.
// Thin over `POST/GET /v1/checkpoints`, `POST /v1/checkpoints/{name}/restore`, `DELETE /v1/checkpoints/{name}`.

import type { ApiClient } from '../daemon/api-client.js';
import { requestJson } from '../daemon/http-transport.js';
import { call } from './errors.js';

/** One unit as a checkpoint recorded it (at least its name; the daemon adds what it keeps, e.g. whether it ran). */
export interface CheckpointUnit {
  name: string;
  [detail: string]: unknown;
}

/** A checkpoint: `{ name, created_at, units }`. */
export interface Checkpoint {
  name: string;
  /** When it was taken, as the daemon reports it. */
  created_at: string | number;
  units: CheckpointUnit[];
}

/** What a restore did: services it started and stopped, and those that did not come back. */
export interface RestoreResult {
  started_services: string[];
  stopped_services: string[];
  failed_services: string[];
}

const seg = (name: string): string => encodeURIComponent(name);

/** Named snapshots of the desired state and of which units were running. */
export class Checkpoints {
  /** @internal Built by `Sandbox.connect`. */
  constructor(private readonly client: ApiClient) {}

  #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call(() => requestJson<T>(this.client.socketPath, method, path, body));
  }

  /** Records the desired state, the units' fingerprints and which units are running, under `name`. */
  create(name: string): Promise<Checkpoint> {
    return this.#json('POST', '/v1/checkpoints', { name });
  }

  /** Every checkpoint. */
  list(): Promise<Checkpoint[]> {
    return this.#json('GET', '/v1/checkpoints');
  }

  /**
   * Converges back to the checkpoint: units that were running start (or restart when their config changed), others
   * stop. Resolves with `{ started_services, stopped_services, failed_services }`; a partial failure is reported there.
   */
  restore(name: string): Promise<RestoreResult> {
    return this.#json('POST', `/v1/checkpoints/${seg(name)}/restore`);
  }

  /** Removes a checkpoint (the units are left as they are). */
  delete(name: string): Promise<unknown> {
    return this.#json('DELETE', `/v1/checkpoints/${seg(name)}`);
  }
}
