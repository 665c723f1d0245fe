// LocalEngine.restore on the runtime fakes: a recorded desired model comes back in one step — recorded running units
// start (or restart when their spec changed), the others stop, units the checkpoint lacks are deleted; a unit that
// fails does not block unrelated ones; the wait is bounded.

import { describe, expect, it } from 'vitest';
import { restoredModel } from './restore-model.js';
import { engineHarness, type EngineHarness } from './testing/engine-harness.js';
import { desiredState, unitSpec } from './testing/spec-builder.js';
import type { DesiredModel } from './types.js';

const phases = (h: EngineHarness, names: string[]) => Object.fromEntries(names.map((n) => [n, h.engine.snapshot().observed.units[n]?.phase ?? 'absent']));
const pids = (h: EngineHarness, names: string[]) => Object.fromEntries(names.map((n) => [n, h.unit(n).pid]));

/** Applies the base project and stops `cache`: db, api, worker run; cache is stopped. Returns the recorded model. */
const recorded = async (h: EngineHarness): Promise<{ model: DesiredModel; running: Set<string> }> => {
  await h.engine.apply(desiredState([unitSpec('db'), unitSpec('api', { needs: ['db'] }), unitSpec('worker', { args: ['v1'] }), unitSpec('cache')]), { prune: true });
  await h.settle();
  await h.engine.stop('cache');
  return { model: structuredClone(h.engine.snapshot().desired), running: new Set(['db', 'api', 'worker']) };
};

describe('LocalEngine.restore', () => {
  it('converges back: recorded units start or restart with the recorded spec, the others stop, new units are deleted', async () => {
    const h = engineHarness();
    const { model, running } = await recorded(h);
    const v1 = h.unit('worker').fingerprint;

    await h.engine.apply(desiredState([unitSpec('db'), unitSpec('worker', { args: ['v2'] }), unitSpec('cache'), unitSpec('extra')]), { prune: true });
    await h.settle();
    await h.engine.stop('db');
    expect(phases(h, ['db', 'api', 'worker', 'cache', 'extra'])).toEqual({ db: 'stopped', api: 'absent', worker: 'ready', cache: 'ready', extra: 'ready' });
    expect(h.unit('worker').fingerprint).not.toBe(v1);
    const starts = h.runner.started.length;
    const stops = h.runner.stops.length;

    expect(await h.engine.restore(model, running)).toBe(true);
    expect(h.runner.started.slice(starts).map((r) => r.unit).sort()).toEqual(['api', 'db', 'worker']);
    expect(h.runner.stops.slice(stops).map((s) => s.unit).sort()).toEqual(['cache', 'extra', 'worker']);
    expect(phases(h, ['db', 'api', 'worker', 'cache', 'extra'])).toEqual({ db: 'ready', api: 'ready', worker: 'ready', cache: 'stopped', extra: 'absent' });
    expect(h.unit('worker').fingerprint).toBe(v1);
    expect(h.unit('worker').started?.spec.args).toEqual(['v1']);
    const desired = h.engine.snapshot().desired;
    expect(Object.keys(desired.units).sort()).toEqual(['api', 'cache', 'db', 'worker']);
    expect(Object.fromEntries(Object.entries(desired.units).map(([n, u]) => [n, u.enabled]))).toEqual({ api: true, cache: false, db: true, worker: true });
    expect(h.events.some((e) => e.type === 'unit-removed' && e.unit === 'extra' && e.reason === 'not in the checkpoint')).toBe(true);
  });

  it('restoring what already runs changes nothing and resolves at once', async () => {
    const h = engineHarness();
    const { model, running } = await recorded(h);
    const before = pids(h, ['db', 'api', 'worker']);
    const starts = h.runner.started.length;
    expect(await h.engine.restore(model, running)).toBe(true);
    expect(h.runner.started.length).toBe(starts);
    expect(pids(h, ['db', 'api', 'worker'])).toEqual(before);
  });

  it('a unit that fails to start is failed, its dependent held, and unrelated units still converge', async () => {
    const h = engineHarness();
    const { model, running } = await recorded(h);
    await h.engine.stop('db');
    await h.engine.stop('worker');
    h.runner.failNextStart('db', 'not-found');

    expect(await h.engine.restore(model, running)).toBe(true);
    expect(phases(h, ['db', 'api', 'worker', 'cache'])).toEqual({ db: 'failed', api: 'stopped', worker: 'ready', cache: 'stopped' });
    expect(h.unit('db').last_error).toMatch(/not-found/);
    expect(h.engine.snapshot().holds.find((x) => x.unit === 'api')).toMatchObject({ reason: 'dependency-failed', on: ['db'] });
  });

  it('a recorded running unit that has since failed with the same spec is started again', async () => {
    const h = engineHarness();
    const { model, running } = await recorded(h);
    h.runner.exit('worker', 1);
    await h.settle();
    expect(h.unit('worker').phase).toBe('failed');
    expect(await h.engine.restore(model, running)).toBe(true);
    expect(h.unit('worker').phase).toBe('ready');
  });

  it('resolves false at the timeout when a unit never becomes ready', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('slow', { health_port: 5999 })]), { prune: true });
    await h.settle();
    const model = structuredClone(h.engine.snapshot().desired);
    await h.engine.stop('slow');

    const restored = h.engine.restore(model, new Set(['slow']), { timeoutMs: 30_000 });
    await h.settle();
    expect(h.unit('slow').phase).toBe('running');
    h.clock.advance(30_000);
    expect(await restored).toBe(false);
  });
});

describe('restoredModel', () => {
  const model = (units: Units): DesiredModel => ({
    project: 'p',
    units: Object.fromEntries(Object.entries(units).map(([n, u]) => [n, { spec: unitSpec(n), owner: 'manifest' as const, ...u }])),
    overlays: {},
  });

  type Units = Record<string, { enabled: boolean; removal?: string; restart_requested?: boolean }>;
  const cases: { case: string; current: Units; rec: Units; running: string[]; want: Record<string, [boolean, string | undefined]> }[] = [
    { case: 'recorded running unit enabled', current: {}, rec: { a: { enabled: false } }, running: ['a'], want: { a: [true, undefined] } },
    { case: 'recorded stopped unit disabled', current: { a: { enabled: true } }, rec: { a: { enabled: true } }, running: [], want: { a: [false, undefined] } },
    { case: 'unit the checkpoint lacks is deleted', current: { b: { enabled: true } }, rec: {}, running: [], want: { b: [false, 'gone'] } },
    { case: 'an earlier removal reason is kept', current: { b: { enabled: false, removal: 'removed' } }, rec: {}, running: [], want: { b: [false, 'removed'] } },
    { case: 'a pending removal of a recorded unit is cancelled', current: { a: { enabled: true, removal: 'removed' } }, rec: { a: { enabled: true } }, running: ['a'], want: { a: [true, undefined] } },
    { case: 'recorded restart request is dropped', current: {}, rec: { a: { enabled: true, restart_requested: true } }, running: ['a'], want: { a: [true, undefined] } },
  ];
  it.each(cases)('$case', ({ current, rec, running, want }) => {
    const next = restoredModel(model(current), model(rec), new Set(running), 'gone');
    expect(Object.fromEntries(Object.entries(next.units).map(([n, u]) => [n, [u.enabled, u.removal ?? undefined]]))).toEqual(want);
    for (const unit of Object.values(next.units)) expect(unit.restart_requested ?? false).toBe(false);
  });
});
