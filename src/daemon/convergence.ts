// Pure: has an apply settled? Sorts the watched units into ready, failed, stopped (ended cleanly) and pending, and
// lists the units still being deleted.

import type { DesiredModel, Hold, ObservedState } from '../engine/types.js';

/** Where each watched unit stands. */
export interface Convergence {
  ready: string[];
  failed: string[];
  /** Enabled units that exited cleanly and stay stopped under their restart policy. */
  stopped: string[];
  pending: string[];
  /** Units being deleted (e.g. pruned) whose processes may still run. */
  removing: string[];
  /** True when nothing is pending, nothing is still being deleted and the engine has nothing under way. */
  settled: boolean;
}

const FAILING_HOLDS = new Set<Hold['reason']>(['dependency-failed', 'gave-up']);

/** Classifies `names` (disabled or no longer desired units are left out). */
export const convergence = (snapshot: { desired: DesiredModel; observed: ObservedState; holds: Hold[]; busy?: boolean }, names: string[]): Convergence => {
  const result: Convergence = { ready: [], failed: [], stopped: [], pending: [], removing: [], settled: false };
  const holds = new Map(snapshot.holds.map((h) => [h.unit, h]));
  for (const name of [...names].sort()) {
    const desired = Object.hasOwn(snapshot.desired.units, name) ? snapshot.desired.units[name] : undefined;
    if (!desired?.enabled) continue;
    const observed = snapshot.observed.units[name];
    const hold = holds.get(name);
    // A ready unit the plan still holds (e.g. a restart waiting for its needs) is about to change: not applied yet.
    if (observed?.phase === 'ready' && hold && !hold.terminal && !FAILING_HOLDS.has(hold.reason)) result.pending.push(name);
    else if (observed?.phase === 'ready') result.ready.push(name);
    else if (observed?.phase === 'failed' || (hold && FAILING_HOLDS.has(hold.reason))) result.failed.push(name);
    // Only a run that ended on its own and stays down is final; a unit sbx stopped (e.g. `down`) is about to start again.
    else if (observed?.phase === 'stopped' && observed.stay_down === true && observed.last_exit !== null) {
      const exit = observed.last_exit;
      const clean = exit.known && exit.code === 0 && exit.signal === null;
      (clean ? result.stopped : result.failed).push(name);
    } else result.pending.push(name);
  }
  // An apply is done once what it deletes is gone too (a pruned unit still stopping is not "applied").
  const removing = new Set(Object.entries(snapshot.desired.units).filter(([, unit]) => unit.removal).map(([name]) => name));
  for (const name of Object.keys(snapshot.observed.units)) if (!Object.hasOwn(snapshot.desired.units, name)) removing.add(name);
  result.removing = [...removing].sort();
  // A busy engine is about to change what it observes (e.g. restart a unit after re-syncing its overlay).
  result.settled = result.pending.length === 0 && result.removing.length === 0 && snapshot.busy !== true;
  return result;
};
