// One run of a unit as the supervisor tracks it, and what the run is started with.

import { randomBytes } from 'node:crypto';
import type { UnitSpec } from '../manifest/types.js';
import type { RunningProcess } from '../runtime/process-runner.js';
import { effectiveFingerprint } from './fingerprint.js';
import type { DesiredModel, ObservedState, StartRecord } from './types.js';
import { currentInputs } from './unit-change.js';

/** A live (or launching) run. */
export interface Run {
  runId: string;
  /** Aborted when sbx stops the unit during its launch (the install is stopped, the spawn abandoned). */
  abort: AbortController;
  /** The main process, once spawned. */
  process: RunningProcess | null;
  /** Stops the health watch. */
  unwatch: (() => void) | null;
  /** True once sbx is stopping the run: its exit is expected and not a crash. */
  stopping: boolean;
  /** Set when the run is killed for failing its health check while ready: the exit counts as a crash, with this cause. */
  liveness?: string;
  /** Settles when the launch is over (spawned, failed or abandoned). */
  launch: Promise<void>;
  /** True for a container unit's run: its process is the container CLI, stopped through the container launcher. */
  container?: boolean;
}

let counter = 0;

/** A run id unique across daemons: a sequence number plus random bits. */
export const newRunId = (): string => `r${(counter++).toString(36)}${randomBytes(3).toString('hex')}`;

/**
 * What a run starts with: the overlays' digests, the resolved references and the run ids of its needs, plus the
 * effective fingerprint (computed exactly as the planner does, so the next pass sees the unit in sync).
 */
export const startRecord = (spec: UnitSpec, observed: ObservedState, desired: DesiredModel): { started: StartRecord; fingerprint: string; refs: Record<string, string> } => {
  const inputs = currentInputs(spec, observed, null);
  const unitNeeds = [...spec.needs.map((n) => n.name), ...(spec.unit_refs ?? [])].filter((n) => !desired.overlays[n] && !spec.overlays.includes(n));
  const needs: Record<string, string | null> = {};
  for (const name of unitNeeds) needs[name] = observed.units[name]?.run_id ?? null;
  const refs = Object.fromEntries(Object.entries(inputs.refs).filter(([, value]) => value !== ''));
  return { started: { spec, overlays: inputs.overlays, refs: inputs.refs, needs }, fingerprint: effectiveFingerprint(spec, inputs), refs };
};
