import { describe, expect, it } from 'vitest';
import type { Hold, ObservedUnit, UnitPhase } from '../engine/types.js';
import { makeSpec } from '../../test/daemon/helpers/make-spec.js';
import { convergence } from './convergence.js';

const seen = (name: string, phase: UnitPhase, exit: ObservedUnit['last_exit'] = null, stay_down = exit !== null): ObservedUnit => ({
  name, phase, fingerprint: null, pid: null, start_time: null, run_id: null, cgroup: null, port: null, restart_count: 0, crash_streak: 0,
  last_exit: exit, started_at: null, ready_at: null, backoff_until: null, last_error: null, health: null, stay_down,
});

const snapshot = (units: [string, boolean, ObservedUnit | null][], holds: Hold[] = []) => ({
  desired: { project: 'p', overlays: {}, units: Object.fromEntries(units.map(([n, enabled]) => [n, { spec: makeSpec(n), enabled, owner: 'manifest' as const }])) },
  observed: { overlays: {}, units: Object.fromEntries(units.filter(([, , o]) => o).map(([n, , o]) => [n, o as ObservedUnit])) },
  holds,
});

describe('convergence', () => {
  it.each<[string, [string, boolean, ObservedUnit | null][], Hold[], Partial<ReturnType<typeof convergence>>]>([
    ['all ready', [['a', true, seen('a', 'ready')], ['b', true, seen('b', 'ready')]], [], { ready: ['a', 'b'], settled: true }],
    ['one still starting', [['a', true, seen('a', 'ready')], ['b', true, seen('b', 'starting')]], [], { ready: ['a'], pending: ['b'], settled: false }],
    ['never observed is pending', [['a', true, null]], [], { pending: ['a'], settled: false }],
    ['failed phase', [['a', true, seen('a', 'failed')]], [], { failed: ['a'], settled: true }],
    [
      'held by a failed dependency',
      [['a', true, seen('a', 'failed')], ['b', true, seen('b', 'pending')]],
      [{ unit: 'b', reason: 'dependency-failed', on: ['a'], message: 'a failed' }],
      { failed: ['a', 'b'], settled: true },
    ],
    ['waiting for needs is pending', [['b', true, seen('b', 'pending')]], [{ unit: 'b', reason: 'waiting-for-needs', on: ['a'], message: '' }], { pending: ['b'] }],
    ['backoff is pending', [['a', true, seen('a', 'backoff')]], [], { pending: ['a'] }],
    [
      'ready but held (a restart waiting for its needs) is pending',
      [['b', true, seen('b', 'ready')]],
      [{ unit: 'b', reason: 'waiting-for-needs', on: ['a'], message: '' }],
      { ready: [], pending: ['b'], settled: false },
    ],
    ['clean exit stays stopped', [['a', true, seen('a', 'stopped', { code: 0, signal: null, known: true, at: 1 })]], [], { stopped: ['a'], settled: true }],
    ['unclean exit is failed', [['a', true, seen('a', 'stopped', { code: 1, signal: null, known: true, at: 1 })]], [], { failed: ['a'] }],
    ['unknown exit is failed', [['a', true, seen('a', 'stopped', { code: null, signal: null, known: false, at: 1 })]], [], { failed: ['a'] }],
    [
      'stopped by sbx (not kept down by its policy) is pending: the engine starts it again',
      [['a', true, seen('a', 'stopped', { code: null, signal: 'SIGTERM', known: true, at: 1 }, false)]],
      [{ unit: 'a', reason: 'waiting-for-needs', on: ['b'], message: '' }],
      { failed: [], stopped: [], pending: ['a'], settled: false },
    ],
    ['disabled units are left out', [['a', false, seen('a', 'stopped')]], [], { ready: [], failed: [], pending: [], settled: true }],
  ])('%s', (_label, units, holds, expected) => {
    const names = units.map(([n]) => n);
    expect(convergence(snapshot(units, holds), names)).toMatchObject(expected);
  });

  it('is not settled while a unit is being deleted (marked for removal, or observed but no longer desired)', () => {
    const marked = snapshot([['a', true, seen('a', 'ready')], ['old', true, seen('old', 'stopping')]]);
    Object.assign(marked.desired.units.old!, { removal: 'not in manifest (prune)' });
    expect(convergence(marked, ['a'])).toMatchObject({ ready: ['a'], removing: ['old'], settled: false });
    const orphan = snapshot([['a', true, seen('a', 'ready')]]);
    orphan.observed.units.gone = seen('gone', 'stopping');
    expect(convergence(orphan, ['a'])).toMatchObject({ removing: ['gone'], settled: false });
    delete orphan.observed.units.gone;
    expect(convergence(orphan, ['a'])).toMatchObject({ removing: [], settled: true });
  });

  it('is not settled while the engine is busy (a pass or an action under way)', () => {
    const units: [string, boolean, ObservedUnit | null][] = [['a', true, seen('a', 'ready')]];
    expect(convergence({ ...snapshot(units), busy: true }, ['a'])).toMatchObject({ ready: ['a'], settled: false });
    expect(convergence({ ...snapshot(units), busy: false }, ['a'])).toMatchObject({ settled: true });
  });

  it('ignores watched names that are no longer desired', () => {
    expect(convergence(snapshot([]), ['gone'])).toMatchObject({ pending: [], settled: true });
  });
});
