// Puts back the environment values the state file withholds, from where they came: the env file, the manifest (for
// manifest units), the values an API body gave (kept by digest), sbx's own environment. A value is used only when its
// digest is the applied one, so a daemon restart with unchanged files re-adopts without restarting anything.

import { readFileSync } from 'node:fs';
import type { DesiredState, EnvVar } from '../manifest/types.js';
import { parseEnvFile } from '../manifest/env-files.js';
import type { SavedState } from '../state/types.js';
import { fillWithheld, type Filled, type KeptValues, type WithEnv } from '../state/withhold-env.js';
import type { ManifestLoader } from './deps.js';

/** Where withheld values are looked up. */
export interface RestoreSources {
  /** sbx's environment now. */
  env: Readonly<Record<string, string | undefined>>;
  /** Values only an API body gave, by digest. */
  kept: KeptValues;
  loadManifest: ManifestLoader;
  /** Reads an env file's text; null when it cannot be read. */
  readText?: (path: string) => string | null;
}

const readTextFromDisk = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** Fills the withheld values of a loaded state; `missing` lists those whose source no longer has the applied value. */
export const restoreWithheldEnv = async <T extends WithEnv = SavedState>(state: T, sources: RestoreSources): Promise<Filled<T>> => {
  const readText = sources.readText ?? readTextFromDisk;
  const envFiles = new Map<string, Record<string, { value: string }> | null>();
  const envFile = (path: string): Record<string, { value: string }> | null => {
    if (!envFiles.has(path)) {
      const text = readText(path);
      envFiles.set(path, text === null ? null : parseEnvFile(text));
    }
    return envFiles.get(path) ?? null;
  };

  // Manifests named by withheld manifest-unit values, loaded once each before filling (the loader may be async).
  const manifests = new Map<string, DesiredState | null>();
  for (const unit of Object.values(state.desired.units)) {
    if (unit.owner !== 'manifest') continue;
    for (const variable of Object.values(unit.spec.env ?? {})) {
      const file = manifestFileOf(variable);
      if (file && !manifests.has(file)) {
        const loaded = await Promise.resolve(sources.loadManifest(file)).catch(() => null);
        manifests.set(file, loaded?.ok ? loaded.value : null);
      }
    }
  }

  return fillWithheld(state, (unit, owner, name, variable) => {
    const kept = variable.digest === undefined ? undefined : sources.kept[variable.digest];
    if (kept !== undefined) return kept;
    const { source } = variable;
    if (source.kind === 'sbx-environment') return sources.env[name];
    if (source.kind === 'env-file') return envFile(source.file)?.[name]?.value;
    const file = owner === 'manifest' ? manifestFileOf(variable) : null;
    return file ? manifests.get(file)?.units[unit]?.env[name]?.value : undefined;
  });
};

/** The manifest a value set in a manifest came from (its source location), if any. */
const manifestFileOf = (variable: EnvVar): string | null =>
  variable.withheld && variable.source.kind === 'manifest' && variable.source.location ? variable.source.location.file : null;
