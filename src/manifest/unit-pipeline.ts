// Steps 3–5 for one unit (interpolate → merge env → resolve), shared by the manifest loader and the API.

import type { SourceLocation } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { envFileEntries, readEnvFiles, type ReadFile } from './env-files.js';
import { interpolateValue, type Lookup, type UnitRefUse } from './interpolate.js';
import { manifestEnvLayer, mergeEnv, type EnvLayer } from './merge-env.js';
import type { RawUnit } from './raw-manifest.js';
import { markEmbeddedSecrets } from './secret-taint.js';
import { resolveInlineOverlay, resolveUnit, unitEnvFileDir } from './resolve.js';
import type { Locate } from './source-path.js';
import type { OverlaySpec, UnitSpec } from './types.js';

/** What a unit inherits from its project, and the injected file reader. */
export interface UnitContext {
  dir: string;
  /** Layers below the unit's own: sbx's environment, the project's env files, the project's `environment`. */
  projectLayers: readonly EnvLayer[];
  /** Variables `${VAR}` may use: sbx's environment overlaid with the project's env files. */
  vars: Lookup;
  overlayNames: ReadonlySet<string>;
  locate: Locate;
  readFile: ReadFile;
}

/** A resolved unit, its inline overlay, where it uses other units' ports, and the env files it read. */
export interface ResolvedUnit {
  spec: UnitSpec;
  inlineOverlay: OverlaySpec | null;
  refs: UnitRefUse[];
  inputs: string[];
}

/** Runs one validated unit through interpolation, env merging and resolution. */
export const runUnitPipeline = (raw: RawUnit, context: UnitContext): Result<ResolvedUnit, Diagnostic[]> => {
  const { locate } = context;
  const interpolated = interpolateValue(raw.body, raw.base, context.vars, locate, true);
  if (!interpolated.ok) return err(interpolated.error);
  const unit = { ...raw, body: interpolated.value.value } as RawUnit;
  const refs = interpolated.value.unitRefs;

  const entries = envFileEntries(unit.body.env_file, [...unit.base, 'env_file']);
  const files = readEnvFiles(entries, unitEnvFileDir(unit, context.dir), context.readFile, locate);
  if (!files.ok) return err(files.error);
  const own = unit.kind === 'service' ? { map: unit.body.env, key: 'env' } : { map: unit.body.environment, key: 'environment' };
  const env = markEmbeddedSecrets(mergeEnv([...context.projectLayers, ...files.value.layers, manifestEnvLayer(own.map, [...unit.base, own.key], locate)]));

  const location = locate(unit.base, { key: true });
  const spec = resolveUnit(unit, {
    dir: context.dir,
    env,
    envFiles: files.value.refs,
    unitRefs: refs.map((ref) => ref.name).filter((name) => name !== unit.name),
    overlayNames: context.overlayNames,
    ...(location ? { location } : {}),
  });
  const overlay = unit.kind === 'server' ? unit.body.overlay : undefined;
  const overlayLocation: SourceLocation | undefined = overlay ? locate([...unit.base, 'overlay'], { key: true }) : undefined;
  return ok({
    spec,
    inlineOverlay: overlay ? resolveInlineOverlay(unit.name, overlay, context.dir, overlayLocation) : null,
    refs,
    inputs: files.value.refs.map((ref) => ref.path),
  });
};
