// A checkpoint: the whole desired model, each unit's fingerprint and whether it was running, under a name.
// Pure: taking one from a snapshot, the one serializer every checkpoint file goes through, and a strict parser.

import type { DesiredModel, DesiredUnit, ObservedState, UnitPhase } from '../engine/types.js';
import { err, ok, type Result } from '../shared/result.js';
import { withholdDesired } from './withhold-env.js';

/** Version of the checkpoint file's shape; a file with another version is refused, never misread. */
export const CHECKPOINT_VERSION = 1;

/** Checkpoint names (a file name in `.sbx/checkpoints/`): no slash, no leading dot, bounded. */
export const CHECKPOINT_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';
const NAME = new RegExp(CHECKPOINT_NAME_PATTERN);

/** What a bad name is told (the API's 400 and the CLI). */
export const CHECKPOINT_NAME_RULE =
  'a checkpoint name is 1 to 63 characters: lowercase letters, digits, ".", "_" and "-", starting with a letter or digit';

/** One unit as the checkpoint recorded it (what the API lists; the spec itself stays in `desired`). */
export interface CheckpointUnit {
  name: string;
  /** True when the unit had a live run that the desired state wanted (restore starts it). */
  running: boolean;
  /** The unit's spec fingerprint (sha256 of everything launch-relevant). */
  fingerprint: string;
  /** Its observed phase when the checkpoint was taken. */
  phase: UnitPhase;
}

/** A checkpoint as stored in `.sbx/checkpoints/NAME.json`. */
export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION;
  name: string;
  /** ISO 8601 time the checkpoint was taken. */
  created_at: string;
  /** The whole desired model: specs, enabled flags, owners, overlays (units being deleted left out). */
  desired: DesiredModel;
  /** Every recorded unit, by name. */
  units: CheckpointUnit[];
}

/** Phases with a live run (an install counts: the unit is on its way up). */
const LIVE = new Set<UnitPhase>(['installing', 'starting', 'running', 'ready']);

/** True for names a checkpoint may have. */
export const isCheckpointName = (name: string): boolean => NAME.test(name);

/** True when a unit counts as running for a checkpoint: a live run, and the desired state still wants it to run. */
export const countsAsRunning = (want: DesiredUnit | undefined, phase: UnitPhase | undefined): boolean =>
  !!want && want.enabled && !want.removal && phase !== undefined && LIVE.has(phase);

/** Records what the engine wants and runs now under `name` (pending deletions and restart requests are left out). */
export const takeCheckpoint = (name: string, snapshot: { desired: DesiredModel; observed: ObservedState }, now: number): Checkpoint => {
  const units: Record<string, DesiredUnit> = {};
  const recorded: CheckpointUnit[] = [];
  for (const unitName of Object.keys(snapshot.desired.units).sort()) {
    const want = snapshot.desired.units[unitName] as DesiredUnit;
    if (want.removal) continue;
    const { restart_requested: _restart, removal: _removal, ...kept } = want;
    units[unitName] = kept;
    const phase = snapshot.observed.units[unitName]?.phase ?? 'pending';
    recorded.push({ name: unitName, running: countsAsRunning(want, phase), fingerprint: want.spec.fingerprint, phase });
  }
  const desired: DesiredModel = { project: snapshot.desired.project, units, overlays: { ...snapshot.desired.overlays } };
  return { version: CHECKPOINT_VERSION, name, created_at: new Date(now).toISOString(), desired, units: recorded };
};

/** The names of the units a checkpoint recorded as running. */
export const runningUnits = (checkpoint: Checkpoint): Set<string> => new Set(checkpoint.units.filter((u) => u.running).map((u) => u.name));

/**
 * The file content of a checkpoint: every checkpoint is written through here, so the state file's secrets policy
 * (issue 6, S28: which env values may reach `.sbx/`) applies to checkpoints in this one place.
 */
export const serializeCheckpoint = (checkpoint: Checkpoint): string =>
  `${JSON.stringify({ ...checkpoint, desired: withholdDesired(checkpoint.desired).desired })}\n`;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a desired model's shape, or null. */
const desiredProblem = (desired: unknown): string | null => {
  if (!isObject(desired) || typeof desired['project'] !== 'string' || !isObject(desired['units']) || !isObject(desired['overlays'])) {
    return 'desired must be an object with project, units and overlays';
  }
  for (const [key, u] of Object.entries(desired['units'])) {
    if (!isObject(u) || !isObject(u['spec']) || typeof u['enabled'] !== 'boolean') return `desired.units.${key} must have spec and enabled`;
    if (u['owner'] !== 'manifest' && u['owner'] !== 'api') return `desired.units.${key}.owner must be "manifest" or "api"`;
    if (u['spec']['name'] !== key) return `desired.units.${key}.spec.name does not match its key`;
    if (typeof u['spec']['fingerprint'] !== 'string') return `desired.units.${key}.spec.fingerprint must be a string`;
  }
  return null;
};

/** What is wrong with the recorded units, or null. */
const unitsProblem = (units: unknown, desired: Json): string | null => {
  if (!Array.isArray(units)) return 'units must be a list';
  for (const [i, u] of units.entries()) {
    if (!isObject(u) || typeof u['name'] !== 'string') return `units[${i}].name must be a string`;
    if (typeof u['running'] !== 'boolean') return `units[${i}].running must be true or false`;
    if (typeof u['fingerprint'] !== 'string') return `units[${i}].fingerprint must be a string`;
    if (typeof u['phase'] !== 'string') return `units[${i}].phase must be a string`;
    if (!isObject(desired['units']) || !(u['name'] in desired['units'])) return `units[${i}] names "${u['name']}", which desired.units lacks`;
  }
  return null;
};

/** Parses a checkpoint file strictly; `expectedName` (from the file name) must match the recorded name. */
export const parseCheckpoint = (text: string, expectedName?: string): Result<Checkpoint, string> => {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return err(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(data)) return err('not a JSON object');
  if (data['version'] !== CHECKPOINT_VERSION) return err(`version must be ${CHECKPOINT_VERSION}, got ${JSON.stringify(data['version'])}`);
  if (typeof data['name'] !== 'string' || !isCheckpointName(data['name'])) return err('name must be a checkpoint name');
  if (expectedName !== undefined && data['name'] !== expectedName) return err(`name is "${data['name']}" but the file is named for "${expectedName}"`);
  if (typeof data['created_at'] !== 'string' || Number.isNaN(Date.parse(data['created_at']))) return err('created_at must be an ISO 8601 time');
  const problem = desiredProblem(data['desired']) ?? unitsProblem(data['units'], data['desired'] as Json);
  return problem ? err(problem) : ok(data as unknown as Checkpoint);
};
