// Pure: what a checkpoint restore did, from the snapshots before and after it (the restore answer's lists).

import type { DesiredModel, Hold, ObservedState, ObservedUnit, UnitPhase } from '../engine/types.js';
import type { CheckpointUnit } from '../state/checkpoint.js';
import type { RestoreResult } from './api-types.js';

/** The restore answer (the wire shape). */
export type RestoreOutcome = RestoreResult;

interface Snapshot {
  desired: DesiredModel;
  observed: ObservedState;
  holds: Hold[];
}

const LIVE = new Set<UnitPhase>(['installing', 'starting', 'running', 'ready']);
const live = (unit: ObservedUnit | undefined): boolean => !!unit && LIVE.has(unit.phase);

/** "exit code 1", "signal SIGKILL", or the phase: why a unit that should run is not ready. */
const whyNotReady = (unit: ObservedUnit | undefined, hold: Hold | undefined, timeout: { timedOut: boolean; ms: number }): string => {
  const phase = unit?.phase ?? 'pending';
  if (hold && (hold.terminal || !timeout.timedOut)) return hold.message;
  if (phase === 'failed' || (phase === 'stopped' && unit?.last_exit)) return unit?.last_error ?? `${phase}`;
  if (timeout.timedOut) return `not ready within ${timeout.ms} ms (${phase}${hold ? `: ${hold.message}` : ''})`;
  return unit?.last_error ?? `not ready (${phase})`;
};

/** Sorts every unit the restore touched into the answer's lists. */
export const restoreOutcome = (
  recorded: CheckpointUnit[],
  before: Snapshot,
  after: Snapshot,
  timeout: { timedOut: boolean; ms: number },
): RestoreOutcome => {
  const result: RestoreOutcome = {
    started_services: [],
    stopped_services: [],
    failed_services: [],
    failures: {},
    restarted_services: [],
    unchanged_services: [],
    deleted_services: [],
    timed_out: timeout.timedOut,
  };
  const shouldRun = new Set(recorded.filter((u) => u.running).map((u) => u.name));
  const inCheckpoint = new Set(recorded.map((u) => u.name));
  const holds = new Map(after.holds.filter((h) => h.kind !== 'overlay').map((h) => [h.unit, h]));
  const names = new Set([...inCheckpoint, ...Object.keys(before.desired.units), ...Object.keys(before.observed.units)]);
  for (const name of [...names].sort()) {
    const was = before.observed.units[name];
    const now = after.observed.units[name];
    if (shouldRun.has(name)) {
      if (now?.phase !== 'ready') {
        result.failed_services.push(name);
        result.failures[name] = whyNotReady(now, holds.get(name), timeout);
      } else if (!live(was)) result.started_services.push(name);
      else if (was?.run_id !== now.run_id) result.restarted_services.push(name);
      else result.unchanged_services.push(name);
      continue;
    }
    if (now && (live(now) || now.phase === 'stopping')) {
      result.failed_services.push(name);
      result.failures[name] = `still ${now.phase} (the checkpoint has it ${inCheckpoint.has(name) ? 'stopped' : 'absent'})`;
      continue;
    }
    if (live(was)) result.stopped_services.push(name);
    if (!inCheckpoint.has(name) && !after.desired.units[name] && !now) result.deleted_services.push(name);
  }
  return result;
};
