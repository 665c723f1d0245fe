// Step 5: a unit's final spec: defaults, absolute paths, argv, needs, and its launch fingerprint.

import { resolve } from 'node:path';
import type { SourceLocation } from '../shared/diagnostic.js';
import { launchFingerprint } from './fingerprint.js';
import type { RawInlineOverlay, RawNeed, RawOverlay, RawUnit } from './raw-manifest.js';
import type { EnvFileRef, EnvVar, HealthCheckSpec, NeedSpec, OverlaySpec, UnitSpec } from './types.js';

/** Directory names `smart` overlays always symlink instead of copying. */
export const DEFAULT_IMMUTABLE_DIRS = ['node_modules', '.venv'];

/** The name an inline `overlay:` of a server gets. */
export const inlineOverlayName = (unit: string): string => `${unit}-overlay`;

/** A unit's absolute working directory: a service's `working_dir`, a server's `path`, else the manifest's folder. */
export const unitCwd = (unit: RawUnit, dir: string): string =>
  resolve(dir, (unit.kind === 'service' ? unit.body.working_dir : unit.body.path) ?? '.');

/** Where a unit's env files are relative to: a server's `path` (seed rule), a service's manifest folder. */
export const unitEnvFileDir = (unit: RawUnit, dir: string): string => (unit.kind === 'server' ? unitCwd(unit, dir) : dir);

/** Everything resolve needs besides the unit itself; produced by the earlier steps. */
export interface ResolveInputs {
  dir: string;
  env: Record<string, EnvVar>;
  envFiles: EnvFileRef[];
  /** Units named by `${units.NAME...}` in this unit. */
  unitRefs: string[];
  /** Every overlay name known to the project (to tell overlays from units in `needs`). */
  overlayNames: ReadonlySet<string>;
  location?: SourceLocation;
}

/** Builds the UnitSpec of one validated, interpolated unit. */
export const resolveUnit = (unit: RawUnit, inputs: ResolveInputs): UnitSpec => {
  const { body } = unit;
  const cmd = unit.kind === 'service' ? unit.body.cmd : unit.body.start;
  const args = unit.kind === 'service' ? unit.body.args.map(String) : [];
  const inline = unit.kind === 'server' && unit.body.overlay ? inlineOverlayName(unit.name) : null;
  const implicit: NeedSpec[] = [
    ...(inline ? [{ name: inline, restart: false }] : []),
    ...inputs.unitRefs.map((name) => ({ name, restart: false })),
  ];
  const needs = normalizeNeeds([...body.needs, ...implicit]);
  const launch = {
    argv: unit.kind === 'service' ? [cmd, ...args] : ['/bin/sh', '-c', cmd],
    cwd: unitCwd(unit, inputs.dir),
    env: inputs.env,
    env_files: inputs.envFiles,
    user: body.user ?? null,
    port: body.port ?? null,
    strict_port: body.strict_port,
    container: unit.kind === 'service' ? unit.body.container : false,
    image: unit.kind === 'service' && unit.body.image ? unit.body.image : null,
    install: unit.kind === 'server' ? (unit.body.install ?? null) : null,
  };
  return {
    name: unit.name,
    kind: unit.kind,
    cmd,
    args,
    ...launch,
    health_port: body.health_port ?? null,
    health_check: body.health_check ? ({ ...body.health_check } satisfies HealthCheckSpec) : null,
    restart_policy: body.restart_policy,
    max_restarts: body.max_restarts,
    restart_delay_ms: body.restart_delay_ms,
    stop_timeout_ms: body.stop_timeout_ms,
    needs,
    overlays: needs.filter((need) => need.name === inline || inputs.overlayNames.has(need.name)).map((need) => need.name),
    unit_refs: [...new Set(inputs.unitRefs)].sort(),
    fingerprint: launchFingerprint(launch),
    ...(inputs.location ? { location: inputs.location } : {}),
  };
};

/** `needs` entries as NeedSpecs, one per name (a name listed twice restarts with it if either entry says so). */
export const normalizeNeeds = (needs: readonly RawNeed[]): NeedSpec[] => {
  const byName = new Map<string, NeedSpec>();
  for (const need of needs) {
    const spec = typeof need === 'string' ? { name: need, restart: false } : { name: need.name, restart: need.restart ?? false };
    const seen = byName.get(spec.name);
    byName.set(spec.name, { name: spec.name, restart: spec.restart || (seen?.restart ?? false) });
  }
  return [...byName.values()];
};

/** A project overlay with absolute paths. */
export const resolveOverlay = (raw: RawOverlay, dir: string, location?: SourceLocation): OverlaySpec => ({
  name: raw.name,
  source: resolve(dir, raw.source),
  target: resolve(dir, raw.target),
  strategy: raw.strategy,
  ignore: [...raw.ignore],
  immutable: [...new Set([...DEFAULT_IMMUTABLE_DIRS, ...raw.immutable])],
  needs: normalizeNeeds(raw.needs),
  ...(location ? { location } : {}),
});

/** A server's inline `overlay:` as an overlay of its own, named `<server>-overlay`. */
export const resolveInlineOverlay = (unit: string, raw: RawInlineOverlay, dir: string, location?: SourceLocation): OverlaySpec =>
  resolveOverlay({ name: inlineOverlayName(unit), ...raw, immutable: [], needs: [] }, dir, location);
