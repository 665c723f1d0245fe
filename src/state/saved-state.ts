// Pure mapping from the engine's snapshot to the state file, and a strict parser for the file.

import type { DesiredModel, ObservedOverlay, ObservedState, ObservedUnit } from '../engine/types.js';
import { err, ok, type Result } from '../shared/result.js';
import { STATE_VERSION, type SavedState } from './types.js';

/** Longest text a unit can get into the state file through its errors (bounded, see reliability S11). */
export const MAX_SAVED_TEXT = 2_000;

const bound = (text: string | null): string | null =>
  text === null || text.length <= MAX_SAVED_TEXT ? text : `${text.slice(0, MAX_SAVED_TEXT)}… (truncated)`;

const boundUnit = (unit: ObservedUnit): ObservedUnit => ({
  ...unit,
  last_error: bound(unit.last_error),
  ...(unit.health ? { health: { ...unit.health, last_error: bound(unit.health.last_error) } } : {}),
});

const boundOverlay = (overlay: ObservedOverlay): ObservedOverlay => ({ ...overlay, error: bound(overlay.error) });

/** The state to save from what the engine holds now (units observed but no longer desired stay, so a later daemon can clean them up). */
export const toSavedState = (snapshot: { desired: DesiredModel; observed: ObservedState }, now: number): SavedState => {
  const units: Record<string, ObservedUnit> = {};
  for (const name of Object.keys(snapshot.observed.units).sort()) units[name] = boundUnit(snapshot.observed.units[name] as ObservedUnit);
  const overlays: Record<string, ObservedOverlay> = {};
  for (const name of Object.keys(snapshot.observed.overlays).sort()) overlays[name] = boundOverlay(snapshot.observed.overlays[name] as ObservedOverlay);
  return { version: STATE_VERSION, saved_at: now, desired: snapshot.desired, observed: { units, overlays } };
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** Checks one observed unit's identity fields (the ones adoption trusts); returns what is wrong or null. */
const unitProblem = (key: string, u: unknown): string | null => {
  if (!isObject(u)) return `observed.units.${key} is not an object`;
  if (u['name'] !== key) return `observed.units.${key}.name does not match its key`;
  if (typeof u['phase'] !== 'string') return `observed.units.${key}.phase must be a string`;
  for (const f of ['pid', 'start_time', 'port']) {
    if (!isNumberOrNull(u[f])) return `observed.units.${key}.${f} must be a number or null`;
  }
  for (const f of ['restart_count', 'crash_streak']) {
    if (typeof u[f] !== 'number') return `observed.units.${key}.${f} must be a number`;
  }
  for (const f of ['run_id', 'cgroup', 'fingerprint']) {
    if (!isStringOrNull(u[f])) return `observed.units.${key}.${f} must be a string or null`;
  }
  if (u['tag'] !== undefined && !isStringOrNull(u['tag'])) return `observed.units.${key}.tag must be a string or null`;
  return null;
};

/** Checks one desired unit; returns what is wrong or null. */
const desiredProblem = (key: string, u: unknown): string | null => {
  if (!isObject(u) || !isObject(u['spec']) || typeof u['enabled'] !== 'boolean') return `desired.units.${key} must have spec and enabled`;
  if (u['owner'] !== 'manifest' && u['owner'] !== 'api') return `desired.units.${key}.owner must be "manifest" or "api"`;
  if ((u['spec'] as Json)['name'] !== key) return `desired.units.${key}.spec.name does not match its key`;
  return null;
};

/** Parses a state file strictly: anything unexpected is an error (the caller keeps the file aside). */
export const parseSavedState = (text: string): Result<SavedState, string> => {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return err(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(data)) return err('not a JSON object');
  if (data['version'] !== STATE_VERSION) return err(`version must be ${STATE_VERSION}, got ${JSON.stringify(data['version'])}`);
  if (typeof data['saved_at'] !== 'number') return err('saved_at must be a number');
  const desired = data['desired'];
  if (!isObject(desired) || typeof desired['project'] !== 'string' || !isObject(desired['units']) || !isObject(desired['overlays'])) {
    return err('desired must be an object with project, units and overlays');
  }
  for (const [key, unit] of Object.entries(desired['units'])) {
    const problem = desiredProblem(key, unit);
    if (problem) return err(problem);
  }
  const observed = data['observed'];
  if (!isObject(observed) || !isObject(observed['units']) || !isObject(observed['overlays'])) return err('observed must be an object with units and overlays');
  for (const [key, unit] of Object.entries(observed['units'])) {
    const problem = unitProblem(key, unit);
    if (problem) return err(problem);
  }
  return ok(data as unknown as SavedState);
};
