// Field-level reasons for a plan ("args changed", "env DB_URL changed (.env.local:3)"); never prints a value.

import { basename } from 'node:path';
import type { EnvVar, UnitSpec } from '../manifest/types.js';

/** What changed between two specs of a unit, as human reasons, split by whether it needs a restart. */
export interface SpecChange {
  /** Launch-relevant changes (the process must restart to see them). */
  restart: string[];
  /** Changes the engine applies in place (policy, delays, health settings, needs). */
  update: string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Where a variable's new value comes from, shortly: ` (.env.local:3)`, or nothing for sbx's own environment. */
const provenance = (variable: EnvVar): string => {
  const { source } = variable;
  if (source.kind === 'env-file') return ` (${basename(source.file)}:${source.line})`;
  if (source.kind === 'manifest' && source.location) return ` (${basename(source.location.file)}:${source.location.line})`;
  return '';
};

/** Per-variable reasons: added, removed, changed; names only, values never. */
const describeEnv = (before: Record<string, EnvVar>, after: Record<string, EnvVar>): string[] => {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const reasons: string[] = [];
  for (const name of names) {
    const was = before[name];
    const now = after[name];
    if (!was && now) reasons.push(`env ${name} added${provenance(now)}`);
    else if (was && !now) reasons.push(`env ${name} removed`);
    else if (was && now && was.value !== now.value) reasons.push(`env ${name} changed${provenance(now)}`);
  }
  return reasons;
};

/** Env files whose content, presence or membership changed. */
const describeEnvFiles = (before: UnitSpec['env_files'], after: UnitSpec['env_files']): string[] => {
  const was = new Map(before.map((f) => [f.path, f.sha256]));
  const now = new Map(after.map((f) => [f.path, f.sha256]));
  const paths = [...new Set([...was.keys(), ...now.keys()])].sort();
  const reasons: string[] = [];
  for (const path of paths) {
    const name = basename(path);
    if (!was.has(path)) reasons.push(`env file ${name} added`);
    else if (!now.has(path)) reasons.push(`env file ${name} removed`);
    else if (was.get(path) !== now.get(path)) reasons.push(`env file ${name} changed`);
  }
  return reasons;
};

/** Launch-relevant fields, compared one reason each; env and env files are itemised separately. */
const describeLaunch = (a: UnitSpec, b: UnitSpec): string[] => {
  const reasons: string[] = [];
  if (a.kind !== b.kind) reasons.push(`kind changed (${a.kind} → ${b.kind})`);
  if (a.cmd !== b.cmd) reasons.push(b.kind === 'server' ? 'start command changed' : 'command changed');
  if (!same(a.args, b.args)) reasons.push('args changed');
  if (!same(a.argv, b.argv) && a.cmd === b.cmd && same(a.args, b.args)) reasons.push('command line changed');
  if (a.install !== b.install) reasons.push('install changed');
  if (a.cwd !== b.cwd) reasons.push('working directory changed');
  reasons.push(...describeEnvFiles(a.env_files, b.env_files), ...describeEnv(a.env, b.env));
  if (a.user !== b.user) reasons.push('user changed');
  if (a.port !== b.port) reasons.push('port changed');
  if (a.strict_port !== b.strict_port) reasons.push('strict_port changed');
  if (a.container !== b.container) reasons.push('container changed');
  if (a.image !== b.image) reasons.push('image changed');
  return reasons;
};

/** Fields that need no restart. */
const IN_PLACE_FIELDS = [
  'restart_policy',
  'max_restarts',
  'restart_delay_ms',
  'stop_timeout_ms',
  'health_check',
  'health_port',
  'needs',
  'overlays',
] as const satisfies readonly (keyof UnitSpec)[];

/** The no-restart changes alone (the planner asks this of every running unit on every pass: keep it cheap). */
export const describeInPlaceChange = (oldSpec: UnitSpec, newSpec: UnitSpec): string[] =>
  oldSpec === newSpec ? [] : IN_PLACE_FIELDS.filter((field) => !same(oldSpec[field], newSpec[field])).map((field) => `${field} changed`);

/** Says what changed from the spec a unit runs with to the desired one; source locations alone are not changes. */
export const describeChange = (oldSpec: UnitSpec, newSpec: UnitSpec): SpecChange => ({
  restart: oldSpec === newSpec ? [] : describeLaunch(oldSpec, newSpec),
  update: describeInPlaceChange(oldSpec, newSpec),
});

/** Whether the health probe settings differ (the engine then re-arms the monitor on an update). */
export const healthChanged = (oldSpec: UnitSpec, newSpec: UnitSpec): boolean =>
  !same(oldSpec.health_check, newSpec.health_check) || oldSpec.health_port !== newSpec.health_port;
