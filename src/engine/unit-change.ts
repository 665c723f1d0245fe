// What a unit would run with now, and in words how that differs from what it runs with.

import type { UnitSpec } from '../manifest/types.js';
import { describeChange } from './describe-change.js';
import type { FingerprintInputs } from './fingerprint.js';
import type { ObservedState, ObservedUnit, StartRecord } from './types.js';
import { findUnitRefs, refValue } from './unit-refs.js';

/** Phases in which a unit's assigned port is in use (a reference to it resolves). */
const PORT_LIVE = new Set(['starting', 'running', 'ready']);

/** The port another unit is using now, or null. */
export const livePort = (unit: ObservedUnit | undefined): number | null =>
  unit && PORT_LIVE.has(unit.phase) && unit.port !== null ? unit.port : null;

/**
 * The inputs a run of `spec` would get now: the overlays' digests as copied, and each `${units.X...}` reference
 * resolved from X's live port (while X is down, the value the last run used, so a restarting need is no "change").
 */
export const currentInputs = (spec: UnitSpec, observed: ObservedState, started: StartRecord | null | undefined): FingerprintInputs => {
  const overlays: Record<string, string | null> = {};
  for (const name of spec.overlays) overlays[name] = observed.overlays[name]?.digest ?? null;
  const refs: Record<string, string> = {};
  for (const ref of findUnitRefs(spec)) {
    const port = livePort(observed.units[ref.unit]);
    refs[ref.token] = port !== null ? refValue(ref.field, port) : (started?.refs[ref.token] ?? '');
  }
  return { overlays, refs };
};

/** The keys whose values differ between two records, sorted. */
const changedKeys = <T>(a: Record<string, T>, b: Record<string, T>): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => a[key] !== b[key]).sort();

/** Human reasons for a fingerprint change: the spec's fields, then overlays, then references. */
export const changeReasons = (started: StartRecord | null | undefined, spec: UnitSpec, inputs: FingerprintInputs): string[] => {
  if (!started) return ['launch settings changed'];
  const reasons = describeChange(started.spec, spec).restart;
  for (const name of changedKeys(started.overlays, inputs.overlays)) {
    reasons.push(name in started.overlays ? `overlay ${name} changed` : `overlay ${name} added`);
  }
  for (const token of changedKeys(started.refs, inputs.refs)) reasons.push(`${token.slice(2, -1)} changed`);
  return reasons.length > 0 ? reasons : ['launch settings changed'];
};

/** Needs declared `{ restart: true }` that started a new run since this unit's run started. */
export const restartedFollowedNeeds = (spec: UnitSpec, unit: ObservedUnit | undefined, observed: ObservedState): string[] => {
  const recorded = unit?.started?.needs ?? {};
  return spec.needs
    .filter((need) => need.restart)
    .map((need) => need.name)
    .filter((name) => {
      const then = recorded[name];
      const now = observed.units[name]?.run_id ?? null;
      return then != null && now !== null && now !== then;
    })
    .sort();
};
