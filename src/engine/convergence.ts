// When is a project "up"? Every enabled unit ready, failed, or held for good; nothing disabled still running.

import type { DesiredModel, ObservedState, Plan, UnitPhase } from './types.js';

const UP = new Set<UnitPhase>(['installing', 'starting', 'running', 'ready', 'stopping']);

/** True when nothing more will happen without a user action or a change (apply waits for this). */
export const isConverged = (desired: DesiredModel, observed: ObservedState, plan: Plan): boolean => {
  if (plan.actions.length > 0) return false;
  if (Object.values(observed.overlays).some((o) => o.status === 'in_progress')) return false;
  if (Object.keys(observed.units).some((name) => !desired.units[name])) return false;
  const holds = new Map(plan.holds.filter((h) => h.kind !== 'overlay').map((h) => [h.unit, h]));
  return Object.entries(desired.units).every(([name, want]) => {
    const phase = observed.units[name]?.phase ?? 'pending';
    const hold = holds.get(name);
    if (want.removal) return false;
    if (!want.enabled) return !UP.has(phase);
    if (hold) return hold.terminal === true;
    return phase === 'ready' || phase === 'failed';
  });
};

/** Names of ready and failed units, for the `converged` event and apply's summary. */
export const outcome = (desired: DesiredModel, observed: ObservedState): { ready: string[]; failed: string[] } => {
  const names = Object.keys(desired.units).sort();
  return {
    ready: names.filter((n) => observed.units[n]?.phase === 'ready'),
    failed: names.filter((n) => observed.units[n]?.phase === 'failed'),
  };
};
