import { describe, expect, it } from 'vitest';
import type { DesiredModel, ObservedUnit } from '../engine/types.js';
import { unitSpec } from '../engine/testing/spec-builder.js';
import { MAX_SAVED_TEXT, parseSavedState, toSavedState } from './saved-state.js';

const observedUnit = (name: string, patch: Partial<ObservedUnit> = {}): ObservedUnit => ({
  name,
  phase: 'ready',
  fingerprint: 'fp',
  pid: 42,
  start_time: 1234,
  run_id: 'r1',
  tag: `${name}.r1.abcd`,
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
  units: Object.fromEntries(names.map((n) => [n, { spec: unitSpec(n), enabled: true, owner }])),
  overlays: {},
});

describe('toSavedState', () => {
  it('keeps the desired model and every identity field of the observed units', () => {
    const saved = toSavedState({ desired: desired(['web'], 'api'), observed: { units: { web: observedUnit('web') }, overlays: {} } }, 99);
    expect(saved.saved_at).toBe(99);
    expect(saved.desired.units['web']?.owner).toBe('api');
    expect(saved.observed.units['web']).toMatchObject({ pid: 42, start_time: 1234, run_id: 'r1', tag: 'web.r1.abcd', port: 3000, restart_count: 2, crash_streak: 1 });
  });

  it('keeps units that are observed but no longer desired, so a later daemon can clean them up', () => {
    const saved = toSavedState({ desired: desired([]), observed: { units: { old: observedUnit('old') }, overlays: {} } }, 1);
    expect(saved.observed.units['old']).toMatchObject({ pid: 42 });
  });

  it('bounds error text a unit controls', () => {
    const long = 'x'.repeat(100_000);
    const unit = observedUnit('a', { last_error: long, health: { status: 'unhealthy', healthy: false, last_check: 1, last_error: long, consecutive_failures: 3 } });
    const saved = toSavedState({ desired: desired(['a']), observed: { units: { a: unit }, overlays: {} } }, 1);
    expect(saved.observed.units['a']?.last_error?.length).toBeLessThan(MAX_SAVED_TEXT + 20);
    expect(saved.observed.units['a']?.health?.last_error?.length).toBeLessThan(MAX_SAVED_TEXT + 20);
  });

  it('round-trips through the parser', () => {
    const saved = toSavedState({ desired: desired(['a', 'b']), observed: { units: { a: observedUnit('a') }, overlays: {} } }, 5);
    expect(parseSavedState(JSON.stringify(saved))).toEqual({ ok: true, value: JSON.parse(JSON.stringify(saved)) });
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
    ['an unknown owner', mutate((s) => (s.desired.units.a.owner = 'root')), /owner/],
    ['no observed', mutate((s) => delete s.observed), /observed must be/],
    ['a pid that is a string', mutate((s) => (s.observed.units.a.pid = '42')), /observed.units.a.pid/],
    ['a unit whose name differs from its key', mutate((s) => (s.observed.units.a.name = 'b')), /does not match/],
    ['a tag that is a number', mutate((s) => (s.observed.units.a.tag = 7)), /tag/],
  ])('%s', (_label, text, message) => {
    const parsed = parseSavedState(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});
