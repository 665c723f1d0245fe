// Pure mapping between the engine's snapshot and the state file, and a strict parser for the file.

import type { DesiredModel, ObservedState, UnitOwner } from '../engine/types.js';
import { err, ok, type Result } from '../shared/result.js';
import { STATE_VERSION, type SavedOverlay, type SavedState, type SavedUnit } from './types.js';

/** Longest text a unit can get into the state file through its errors (bounded, see reliability S11). */
export const MAX_SAVED_TEXT = 2_000;

const bound = (text: string | null): string | null =>
  text === null || text.length <= MAX_SAVED_TEXT ? text : `${text.slice(0, MAX_SAVED_TEXT)}… (truncated)`;

/** Builds the state to save from what the engine holds now; units still observed but no longer desired are kept so a later daemon can clean them up. */
export const toSavedState = (snapshot: { desired: DesiredModel; observed: ObservedState }, now: number): SavedState => {
  const { desired, observed } = snapshot;
  const names = new Set([...Object.keys(desired.units), ...Object.keys(observed.units)]);
  const units: Record<string, SavedUnit> = {};
  for (const name of [...names].sort()) {
    const want = desired.units[name];
    const seen = observed.units[name];
    const owner: UnitOwner = want?.owner ?? 'manifest';
    units[name] = {
      name,
      owner,
      enabled: want?.enabled ?? false,
      phase: seen?.phase ?? 'pending',
      pid: seen?.pid ?? null,
      start_time: seen?.start_time ?? null,
      run_id: seen?.run_id ?? null,
      tag: seen?.tag ?? null,
      cgroup: seen?.cgroup ?? null,
      fingerprint: seen?.fingerprint ?? null,
      port: seen?.port ?? null,
      restart_count: seen?.restart_count ?? 0,
      crash_streak: seen?.crash_streak ?? 0,
      started_at: seen?.started_at ?? null,
      ready_at: seen?.ready_at ?? null,
      last_exit: seen?.last_exit ?? null,
      last_error: bound(seen?.last_error ?? null),
      started: seen?.started ?? null,
      stay_down: seen?.stay_down ?? false,
    };
  }
  const overlays: Record<string, SavedOverlay> = {};
  for (const [name, o] of Object.entries(observed.overlays)) {
    overlays[name] = {
      name,
      status: o.status,
      digest: o.digest,
      source_digest: o.source_digest ?? null,
      spec_key: o.spec_key ?? null,
      stats: o.stats,
      error: bound(o.error),
    };
  }
  return { version: STATE_VERSION, saved_at: now, desired, units, overlays };
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIntOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** Checks one saved unit's identity fields (the ones adoption trusts); returns what is wrong or null. */
const unitProblem = (key: string, u: unknown): string | null => {
  if (!isObject(u)) return `units.${key} is not an object`;
  if (u['name'] !== key) return `units.${key}.name does not match its key`;
  for (const f of ['pid', 'start_time', 'port', 'restart_count', 'crash_streak']) {
    if (!isIntOrNull(u[f])) return `units.${key}.${f} must be a number or null`;
  }
  for (const f of ['run_id', 'tag', 'cgroup', 'fingerprint', 'phase']) {
    if (!isStringOrNull(u[f])) return `units.${key}.${f} must be a string or null`;
  }
  if (u['owner'] !== 'manifest' && u['owner'] !== 'api') return `units.${key}.owner must be "manifest" or "api"`;
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
    if (!isObject(unit) || !isObject(unit['spec']) || typeof unit['enabled'] !== 'boolean') {
      return err(`desired.units.${key} must have spec and enabled`);
    }
  }
  const units = data['units'];
  const overlays = data['overlays'];
  if (!isObject(units) || !isObject(overlays)) return err('units and overlays must be objects');
  for (const [key, unit] of Object.entries(units)) {
    const problem = unitProblem(key, unit);
    if (problem) return err(problem);
  }
  return ok(data as unknown as SavedState);
};

/** An empty desired model for a project (a daemon with no saved state). */
export const emptyDesired = (project: string): DesiredModel => ({ project, units: {}, overlays: {} });
