import { describe, expect, it } from 'vitest';
import type { DesiredModel, ObservedState, ObservedUnit } from '../engine/types.js';
import { MAX_SAVED_TEXT, parseSavedState, toSavedState } from './saved-state.js';

const observedUnit = (name: string, patch: Partial<ObservedUnit> = {}): ObservedUnit => ({
  name,
  phase: 'ready',
  fingerprint: 'fp',
  pid: 42,
  start_time: 1234,
  run_id: 'r1',
  cgroup: null,
  port: 3000,
  restart_count: 2,
  crash_streak: 1,
  last_exit: null,
  started_at: 10,
  ready_at: 20,
  backoff_until: null,
  last_error: null,
  health: null,
  ...patch,
});

const desired = (names: string[], owner: 'manifest' | 'api' = 'manifest'): DesiredModel => ({
  project: 'demo',
  units: Object.fromEntries(names.map((n) => [n, { spec: { name: n } as never, enabled: true, owner }])),
  overlays: {},
});

describe('toSavedState', () => {
  it('keeps identity, counters and owner of desired units', () => {
    const saved = toSavedState({ desired: desired(['web'], 'api'), observed: { units: { web: observedUnit('web') }, overlays: {} } }, 99);
    expect(saved.saved_at).toBe(99);
    expect(saved.units['web']).toMatchObject({ owner: 'api', enabled: true, pid: 42, start_time: 1234, run_id: 'r1', port: 3000, restart_count: 2, crash_streak: 1 });
  });

  it('keeps units that are observed but no longer desired, disabled, so a later daemon can clean them up', () => {
    const saved = toSavedState({ desired: desired([]), observed: { units: { old: observedUnit('old') }, overlays: {} } }, 1);
    expect(saved.units['old']).toMatchObject({ enabled: false, pid: 42 });
  });

  it('records desired units that never ran as pending', () => {
    const saved = toSavedState({ desired: desired(['db']), observed: { units: {}, overlays: {} } }, 1);
    expect(saved.units['db']).toMatchObject({ phase: 'pending', pid: null, restart_count: 0 });
  });

  it('bounds error text a unit controls', () => {
    const observed: ObservedState = { units: { a: observedUnit('a', { last_error: 'x'.repeat(100_000) }) }, overlays: {} };
    const saved = toSavedState({ desired: desired(['a']), observed }, 1);
    expect(saved.units['a']?.last_error?.length).toBeLessThan(MAX_SAVED_TEXT + 20);
  });

  it('round-trips through the parser', () => {
    const saved = toSavedState({ desired: desired(['a', 'b']), observed: { units: { a: observedUnit('a') }, overlays: {} } }, 5);
    const parsed = parseSavedState(JSON.stringify(saved));
    expect(parsed).toEqual({ ok: true, value: saved });
  });
});

describe('parseSavedState rejects', () => {
  const good = toSavedState({ desired: desired(['a']), observed: { units: { a: observedUnit('a') }, overlays: {} } }, 5);
  const mutate = (fn: (s: Record<string, any>) => void): string => {
    const copy = JSON.parse(JSON.stringify(good)) as Record<string, any>;
    fn(copy);
    return JSON.stringify(copy);
  };
  it.each([
    ['truncated JSON', JSON.stringify(good).slice(0, 40), /not JSON/],
    ['an empty file', '', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another version', mutate((s) => (s.version = 2)), /version must be 1/],
    ['no desired', mutate((s) => delete s.desired), /desired must be/],
    ['a desired unit without enabled', mutate((s) => delete s.desired.units.a.enabled), /desired.units.a/],
    ['a pid that is a string', mutate((s) => (s.units.a.pid = '42')), /units.a.pid/],
    ['a unit whose name differs from its key', mutate((s) => (s.units.a.name = 'b')), /does not match/],
    ['an unknown owner', mutate((s) => (s.units.a.owner = 'root')), /owner/],
  ])('%s', (_label, text, message) => {
    const parsed = parseSavedState(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});
