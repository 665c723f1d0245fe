// Small builders for engine tests: UnitSpec / DesiredState / observed literals without a manifest loader.

import { createHash } from 'node:crypto';
import type { DesiredState, EnvVar, NeedSpec, OverlaySpec, UnitSpec } from '../../manifest/types.js';
import type { FingerprintInputs } from '../fingerprint.js';
import { effectiveFingerprint } from '../fingerprint.js';
import { referencedUnits } from '../unit-refs.js';
import type { DesiredModel, DesiredUnit, ObservedOverlay, ObservedState, ObservedUnit } from '../types.js';

/** What a test may override on a spec; `env` takes plain values, `needs` plain names or NeedSpecs. */
export type UnitSpecInput = Partial<Omit<UnitSpec, 'env' | 'needs'>> & {
  env?: Record<string, string | EnvVar>;
  needs?: (string | NeedSpec)[];
};

/** The launch-relevant fields, hashed like the loader does (so changing env or args changes the fingerprint). */
const launchFingerprint = (spec: Omit<UnitSpec, 'fingerprint'>): string =>
  createHash('sha256')
    .update(
      JSON.stringify([
        spec.kind,
        spec.argv,
        spec.install,
        spec.cwd,
        Object.entries(spec.env)
          .map(([k, v]) => [k, v.value])
          .sort(),
        spec.env_files.map((f) => [f.path, f.sha256]),
        spec.user,
        spec.port,
        spec.container,
        spec.image,
      ]),
    )
    .digest('hex')
    .slice(0, 16);

/** A resolved unit spec with seed defaults; pass only what the test is about. */
export const unitSpec = (name: string, input: UnitSpecInput = {}): UnitSpec => {
  const kind = input.kind ?? 'service';
  const cmd = input.cmd ?? (kind === 'server' ? `serve-${name}` : name);
  const args = input.args ?? [];
  const env: Record<string, EnvVar> = {};
  for (const [key, value] of Object.entries(input.env ?? {})) {
    env[key] = typeof value === 'string' ? { value, source: { kind: 'manifest', key: `services.${name}.env.${key}` }, secret: false } : value;
  }
  const overlays = input.overlays ?? [];
  const needs = (input.needs ?? []).map((n) => (typeof n === 'string' ? { name: n, restart: false } : n));
  const base: Omit<UnitSpec, 'fingerprint'> = {
    name,
    kind,
    cmd,
    args,
    argv: input.argv ?? (kind === 'server' ? ['/bin/sh', '-c', cmd] : [cmd, ...args]),
    install: input.install ?? null,
    cwd: input.cwd ?? '/project',
    env,
    env_files: input.env_files ?? [],
    user: input.user ?? null,
    port: input.port ?? null,
    strict_port: input.strict_port ?? false,
    health_port: input.health_port ?? null,
    health_check: input.health_check ?? null,
    container: input.container ?? false,
    image: input.image ?? null,
    restart_policy: input.restart_policy ?? 'never',
    max_restarts: input.max_restarts ?? 0,
    restart_delay_ms: input.restart_delay_ms ?? 1000,
    stop_timeout_ms: input.stop_timeout_ms ?? 10_000,
    needs: [...needs, ...overlays.filter((o) => !needs.some((n) => n.name === o)).map((o) => ({ name: o, restart: false }))],
    overlays,
    unit_refs: input.unit_refs ?? [],
  };
  base.unit_refs = input.unit_refs ?? referencedUnits(base as UnitSpec);
  return { ...base, fingerprint: input.fingerprint ?? launchFingerprint(base) };
};

/** An overlay spec under /project. */
export const overlaySpec = (name: string, input: Partial<OverlaySpec> = {}): OverlaySpec => ({
  name,
  source: `/project/templates/${name}`,
  target: `/project/.work/${name}`,
  strategy: 'copy',
  ignore: [],
  immutable: ['node_modules', '.venv'],
  needs: [],
  ...input,
});

/** A DesiredState as the loader would return it. */
export const desiredState = (units: UnitSpec[], overlays: OverlaySpec[] = [], project = 'demo'): DesiredState => ({
  project,
  manifest_path: '/project/sandbox.yaml',
  dir: '/project',
  units: Object.fromEntries(units.map((u) => [u.name, u])),
  overlays: Object.fromEntries(overlays.map((o) => [o.name, o])),
  inputs: ['/project/sandbox.yaml'],
});

/** A desired model; units enabled and manifest-owned unless the entry says otherwise. */
export const desiredModel = (units: (UnitSpec | (Partial<DesiredUnit> & { spec: UnitSpec }))[], overlays: OverlaySpec[] = []): DesiredModel => ({
  project: 'demo',
  units: Object.fromEntries(
    units.map((u) => ('spec' in u ? [u.spec.name, { enabled: true, owner: 'manifest', ...u }] : [u.name, { spec: u, enabled: true, owner: 'manifest' }])),
  ),
  overlays: Object.fromEntries(overlays.map((o) => [o.name, o])),
});

/** A unit observed in `phase`, with defaults for everything else. */
export const observedUnit = (name: string, phase: ObservedUnit['phase'], input: Partial<ObservedUnit> = {}): ObservedUnit => ({
  name,
  phase,
  fingerprint: null,
  pid: null,
  start_time: null,
  run_id: null,
  cgroup: null,
  port: null,
  restart_count: 0,
  crash_streak: 0,
  last_exit: null,
  started_at: null,
  ready_at: null,
  backoff_until: null,
  last_error: null,
  health: null,
  ...input,
});

/** A unit whose current run was started from `spec` (fingerprint, start record and run id filled in). */
export const runningUnit = (
  spec: UnitSpec,
  phase: ObservedUnit['phase'] = 'ready',
  input: Partial<ObservedUnit> & { inputs?: Partial<FingerprintInputs>; needRuns?: Record<string, string | null> } = {},
): ObservedUnit => {
  const { inputs, needRuns, ...rest } = input;
  const fpInputs: FingerprintInputs = { overlays: inputs?.overlays ?? {}, refs: inputs?.refs ?? {} };
  return observedUnit(spec.name, phase, {
    fingerprint: effectiveFingerprint(spec, fpInputs),
    pid: 1000,
    run_id: `${spec.name}-run-1`,
    started_at: 0,
    started: { spec, overlays: fpInputs.overlays, refs: fpInputs.refs, needs: needRuns ?? {} },
    ...rest,
  });
};

/** A completed overlay copy of `digest`. */
export const copiedOverlay = (name: string, digest: string, input: Partial<ObservedOverlay> = {}): ObservedOverlay => ({
  name,
  status: 'complete',
  stats: { copied_files: 1, copied_dirs: 1, symlinked: 0, skipped: 0 },
  digest,
  error: null,
  source_digest: digest,
  ...input,
});

/** An observed state from lists of units and overlays. */
export const observedState = (units: ObservedUnit[] = [], overlays: ObservedOverlay[] = []): ObservedState => ({
  units: Object.fromEntries(units.map((u) => [u.name, u])),
  overlays: Object.fromEntries(overlays.map((o) => [o.name, o])),
});
