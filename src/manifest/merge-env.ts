// Step 4: one environment per unit from its layers, each variable remembering where its value came from.
//
// Precedence, lowest first (spec §2); a later layer overrides an earlier one variable by variable:
//   1. sbx's own environment
//   2. the project's env_file(s), in the order listed
//   3. the project's `environment`
//   4. the unit's env_file(s), in the order listed
//   5. the unit's `env` (services) / `environment` (servers)
// What sbx injects at start (PORT = the port actually assigned) goes on top, in the engine.

import type { EnvSource, EnvVar } from './types.js';
import type { RawEnvMap } from './raw-manifest.js';
import { looksSecret } from './secret-names.js';
import { formatPath, type Locate, type Path } from './source-path.js';

/** One layer: variables with the source each would be reported under. */
export type EnvLayer = Record<string, { value: string; source: EnvSource }>;

/** Merges layers, later ones winning, and marks the variables whose names look secret. */
export const mergeEnv = (layers: readonly EnvLayer[]): Record<string, EnvVar> => {
  const merged: Record<string, EnvVar> = {};
  for (const layer of layers) {
    for (const [name, { value, source }] of Object.entries(layer)) merged[name] = { value, source, secret: looksSecret(name) };
  }
  return merged;
};

/** sbx's own environment as the lowest layer. */
export const sbxEnvironmentLayer = (env: Readonly<Record<string, string | undefined>>): EnvLayer => {
  const layer: EnvLayer = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) layer[name] = { value, source: { kind: 'sbx-environment' } };
  return layer;
};

/** A manifest `environment`/`env` map as a layer; numbers and booleans become strings. */
export const manifestEnvLayer = (map: RawEnvMap | undefined, at: Path, locate: Locate): EnvLayer => {
  const layer: EnvLayer = {};
  for (const [name, value] of Object.entries(map ?? {})) {
    const path = [...at, name];
    const location = locate(path, { key: true });
    layer[name] = { value: String(value), source: { kind: 'manifest', key: formatPath(path), ...(location ? { location } : {}) } };
  }
  return layer;
};

/** The values of a layer stack as a lookup for `${VAR}` interpolation. */
export const lookupIn = (layers: readonly EnvLayer[]) => {
  const merged = mergeEnv(layers);
  return (name: string): string | undefined => merged[name]?.value;
};
