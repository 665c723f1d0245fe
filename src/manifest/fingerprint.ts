// The launch fingerprint: a hash of everything that needs a restart when it changes, and nothing else.

import { createHash } from 'node:crypto';
import type { UnitSpec } from './types.js';

/**
 * The fields a running process depends on. Left out on purpose, because they are applied in place without a restart:
 * restart_policy, max_restarts, restart_delay_ms, stop_timeout_ms, health_check, health_port and needs. Variables
 * inherited from sbx's own environment are left out too: they differ from one shell to the next, and hashing them would
 * restart every unit whenever `apply` runs from another terminal (a `${VAR}` taken from it into the manifest does count).
 */
export type LaunchFields = Pick<UnitSpec, 'argv' | 'cwd' | 'env' | 'env_files' | 'user' | 'port' | 'strict_port' | 'container' | 'image' | 'install'>;

/** sha256 (hex) of the canonical JSON of a unit's launch fields. */
export const launchFingerprint = (unit: LaunchFields): string => {
  const env = Object.fromEntries(
    Object.entries(unit.env)
      .filter(([, variable]) => variable.source.kind !== 'sbx-environment')
      .map(([name, variable]) => [name, variable.value]),
  );
  const launch = {
    argv: unit.argv,
    cwd: unit.cwd,
    env,
    env_files: unit.env_files.map((file) => [file.path, file.sha256]),
    user: unit.user,
    port: unit.port,
    strict_port: unit.strict_port,
    container: unit.container,
    image: unit.image,
    install: unit.install,
  };
  return createHash('sha256').update(canonicalJson(launch)).digest('hex');
};

/** JSON with object keys sorted at every level, so equal values always serialise (and hash) the same. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};
