import { describe, expect, it } from 'vitest';
import type { DesiredModel, ObservedUnit } from '../engine/types.js';
import { unitSpec } from '../engine/testing/spec-builder.js';
import type { EnvVar } from '../manifest/types.js';
import { toSavedState } from './saved-state.js';
import { envDigest, fillWithheld, knownValues, withholdDesired, withholdSavedState } from './withhold-env.js';

const fromFile = (value: string): EnvVar => ({ value, source: { kind: 'env-file', file: '/p/.env', line: 1 }, secret: false });
const inline = (value: string, secret: boolean): EnvVar => ({ value, source: { kind: 'manifest', key: 'env.X' }, secret });
const inherited = (value: string): EnvVar => ({ value, source: { kind: 'sbx-environment' }, secret: false });

const env = { FILE_VAR: fromFile('from-file'), API_KEY: inline('inline-secret', true), PLAIN: inline('plain', false), HOME: inherited('/root') };

const model = (owner: 'manifest' | 'api'): DesiredModel => ({
  project: 'p',
  units: { app: { spec: unitSpec('app', { env }), enabled: true, owner } },
  overlays: {},
});

const started = (owner: 'manifest' | 'api'): ObservedUnit => ({
  name: 'app', phase: 'ready', fingerprint: 'f', pid: 1, start_time: 1, run_id: 'r', cgroup: null, port: null, restart_count: 0,
  crash_streak: 0, last_exit: null, started_at: 1, ready_at: 1, backoff_until: null, last_error: null, health: null,
  started: { spec: model(owner).units['app']!.spec, overlays: {}, refs: {}, needs: {} },
});

describe('withholdSavedState', () => {
  it.each(['manifest', 'api'] as const)('keeps only plain inline values in the file (%s unit), digests for the rest', (owner) => {
    const saved = toSavedState({ desired: model(owner), observed: { units: { app: started(owner) }, overlays: {} } }, 1);
    const { state, kept } = withholdSavedState(saved);
    const text = JSON.stringify(state);
    for (const secret of ['from-file', 'inline-secret', '/root']) expect(text).not.toContain(secret);
    expect(text).toContain('plain');
    const written = state.desired.units['app']!.spec.env;
    expect(written['FILE_VAR']).toEqual({ value: '', source: fromFile('').source, secret: false, withheld: true, digest: envDigest('from-file') });
    expect(written['HOME']).toEqual({ value: '', source: { kind: 'sbx-environment' }, secret: false, withheld: true });
    expect(state.observed.units['app']!.started!.spec.env['API_KEY']!.withheld).toBe(true);
    // Only a value nothing else can give back is kept apart: an API unit's inline secret.
    expect(kept).toEqual(owner === 'api' ? { [envDigest('inline-secret')]: 'inline-secret' } : {});
  });

  it('leaves the state it was given untouched', () => {
    const saved = toSavedState({ desired: model('manifest'), observed: { units: {}, overlays: {} } }, 1);
    const before = JSON.stringify(saved);
    withholdSavedState(saved);
    expect(JSON.stringify(saved)).toBe(before);
  });
});

describe('fillWithheld', () => {
  const written = withholdSavedState(toSavedState({ desired: model('manifest'), observed: { units: { app: started('manifest') }, overlays: {} } }, 1)).state;
  const sources: Record<string, string | undefined> = { FILE_VAR: 'from-file', API_KEY: 'inline-secret', HOME: '/home/new' };

  it('puts values back when their digest matches; sbx’s environment as it is now', () => {
    const { state, missing } = fillWithheld(written, (_unit, _owner, name) => sources[name]);
    expect(missing).toEqual([]);
    const spec = state.desired.units['app']!.spec;
    expect(spec.env).toEqual({ ...env, HOME: inherited('/home/new') });
    expect(state.observed.units['app']!.started!.spec.env['FILE_VAR']).toEqual(fromFile('from-file'));
  });

  it('leaves a value withheld when its source changed, and drops an inherited variable that is gone', () => {
    const { state, missing } = fillWithheld(written, (_unit, _owner, name) => (name === 'FILE_VAR' ? 'edited' : name === 'HOME' ? undefined : sources[name]));
    expect(missing).toEqual(['app: FILE_VAR']);
    const spec = state.desired.units['app']!.spec;
    expect(spec.env['FILE_VAR']).toMatchObject({ value: '', withheld: true });
    expect(spec.env['HOME']).toBeUndefined();
    expect(spec.env['API_KEY']).toEqual(env.API_KEY);
  });
});

describe('withholdDesired and knownValues', () => {
  it('a checkpoint model holds no disk-unsafe value; known values find them by digest', () => {
    const { desired } = withholdDesired(model('api'));
    expect(JSON.stringify(desired)).not.toContain('inline-secret');
    expect(knownValues(model('api'))).toEqual({
      [envDigest('from-file')]: 'from-file',
      [envDigest('inline-secret')]: 'inline-secret',
      [envDigest('/root')]: '/root',
    });
  });
});
