// `exec` for every unit: into the run's container for `container: true` units, on the host for the others.

import type { ObservedUnit } from '../engine/types.js';
import type { UnitSpec } from '../manifest/types.js';
import type { ContainerExecResult } from '../runtime/container/container-driver.js';
import { ContainerError } from '../runtime/container/container-error.js';
import type { ExecResult } from './api-types.js';
import type { UnitExecutor } from './deps.js';
import { hostExecutor } from './host-exec.js';
import { badRequest, conflict, HttpError } from './http-error.js';

/** What exec needs from the container side (ContainerUnits). */
export interface ContainerExec {
  exec(unit: string, runId: string, cmd: readonly string[], timeoutMs: number): Promise<ContainerExecResult>;
}

/** Phases in which a run's container may exist. */
const CONTAINER_PHASES = new Set<ObservedUnit['phase']>(['starting', 'running', 'ready']);

/** A driver failure as the API answers it: not running → 409, a command it cannot pass → 400, the runtime → 500. */
const toHttpError = (error: ContainerError): HttpError => {
  if (error.code === 'not-running') return conflict(error.message, 'name');
  if (error.code === 'bad-spec') return badRequest(error.message, 'cmd');
  return new HttpError(500, 'container-runtime', error.message, null);
};

/** Runs exec in the container of the unit's current run (it must be up). */
const execInContainer = async (containers: ContainerExec, spec: UnitSpec, observed: ObservedUnit | null, cmd: string[], timeoutMs: number): Promise<ExecResult> => {
  if (!observed || observed.run_id === null || !CONTAINER_PHASES.has(observed.phase)) {
    throw conflict(`container unit ${spec.name} is not running (status ${observed?.phase ?? 'pending'}); start it first`, 'name');
  }
  try {
    return await containers.exec(spec.name, observed.run_id, cmd, timeoutMs);
  } catch (error) {
    if (error instanceof ContainerError) throw toHttpError(error);
    throw error;
  }
};

/** The daemon's executor: container units through `containers`, host units through hostExecutor. */
export const unitExecutor = (containers: ContainerExec): UnitExecutor => ({
  exec: (spec, observed, cmd, timeoutMs) =>
    spec.container ? execInContainer(containers, spec, observed, cmd, timeoutMs) : hostExecutor.exec(spec, observed, cmd, timeoutMs),
});
