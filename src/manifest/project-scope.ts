// What every unit of a project shares: the project's env files and `environment`, `${VAR}` values, and overlays.

import { basename } from 'node:path';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { envFileEntries, readEnvFiles, type ReadFile } from './env-files.js';
import { interpolateValue, type Lookup } from './interpolate.js';
import { lookupIn, manifestEnvLayer, sbxEnvironmentLayer, type EnvLayer } from './merge-env.js';
import type { RawManifest } from './raw-manifest.js';
import { resolveOverlay } from './resolve.js';
import type { Locate } from './source-path.js';
import type { OverlaySpec } from './types.js';

export interface ProjectScope {
  name: string;
  /** sbx's environment, the project env files, the project `environment`: the bottom of every unit's env. */
  layers: EnvLayer[];
  /** What `${VAR}` sees: sbx's environment overlaid with the project env files. */
  vars: Lookup;
  overlays: OverlaySpec[];
  /** Absolute paths of the project env files (present or not), for watch mode. */
  inputs: string[];
}

/**
 * Reads the project env files (their paths may use sbx's own environment), then interpolates the project-level
 * fields with sbx's environment overlaid with those files.
 */
export const resolveProjectScope = (
  manifest: RawManifest,
  dir: string,
  io: { env: Readonly<Record<string, string | undefined>>; readFile: ReadFile },
  locate: Locate,
): Result<ProjectScope, Diagnostic[]> => {
  const sbx = sbxEnvironmentLayer(io.env);
  const paths = interpolateValue(manifest.env_file, ['env_file'], lookupIn([sbx]), locate, false);
  if (!paths.ok) return err(paths.error);
  const files = readEnvFiles(envFileEntries(paths.value.value, ['env_file']), dir, io.readFile, locate);
  if (!files.ok) return err(files.error);
  const vars = lookupIn([sbx, ...files.value.layers]);

  const project = interpolateValue({ name: manifest.name, environment: manifest.environment, overlays: manifest.overlays ?? [] }, [], vars, locate, false);
  if (!project.ok) return err(project.error);
  const { name, environment, overlays } = project.value.value;
  return ok({
    name: name ?? basename(dir),
    layers: [sbx, ...files.value.layers, manifestEnvLayer(environment, ['environment'], locate)],
    vars,
    overlays: overlays.map((overlay, index) => resolveOverlay(overlay, dir, locate(['overlays', index, 'name']))),
    inputs: files.value.refs.map((ref) => ref.path),
  });
};
