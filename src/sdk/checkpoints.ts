// `sandbox.checkpoints`: record the project's desired state and which units run, and converge back to it later.
// Thin over the API client's checkpoint calls (`POST/GET /v1/checkpoints`, `GET /v1/checkpoints/{name}`,
// `POST /v1/checkpoints/{name}/restore`, `DELETE /v1/checkpoints/{name}`).

import type { ApiClient } from '../daemon/api-client.js';
import type { CheckpointUnitView, CheckpointView, CreateCheckpointRequest, RestoreRequest, RestoreResult } from '../daemon/api-types.js';
import { call } from './errors.js';

/** One unit as a checkpoint recorded it: `{ name, running, fingerprint, phase }`. */
export type CheckpointUnit = CheckpointUnitView;

/** A checkpoint: `{ name, created_at (ISO 8601), project, units }`. */
export type Checkpoint = CheckpointView;

/**
 * What a restore did: the seed's `started_services`, `stopped_services`, `failed_services` (disjoint), and beside them
 * `failures` (why), `restarted_services`, `unchanged_services`, `deleted_services`, `timed_out`.
 */
export type { RestoreResult };

/** Named snapshots of the desired state and of which units were running. */
export class Checkpoints {
  /** @internal Built by `Sandbox.connect`. */
  constructor(private readonly client: ApiClient) {}

  /** Records the desired state, the units' fingerprints and which units are running; a taken name is a 409 unless `overwrite`. */
  create(name: string, options: Omit<CreateCheckpointRequest, 'name'> = {}): Promise<Checkpoint> {
    return call(() => this.client.createCheckpoint({ ...options, name }));
  }

  /** Every checkpoint, oldest first. */
  list(): Promise<Checkpoint[]> {
    return call(() => this.client.listCheckpoints());
  }

  /** One checkpoint (404 when there is none). */
  get(name: string): Promise<Checkpoint> {
    return call(() => this.client.getCheckpoint(name));
  }

  /**
   * Converges back to the checkpoint: units that were running start (restarted when their config changed since),
   * the others stop. Resolves once they settled (or `timeout_ms` passed) with `{ started_services,
   * stopped_services, failed_services, ... }`; a restore that fails half way lists the failures and converges the rest.
   */
  restore(name: string, options: RestoreRequest = {}): Promise<RestoreResult> {
    return call(() => this.client.restoreCheckpoint(name, options));
  }

  /** Removes a checkpoint (the units are left as they are). */
  delete(name: string): Promise<{ name: string; deleted: true }> {
    return call(() => this.client.deleteCheckpoint(name));
  }
}
