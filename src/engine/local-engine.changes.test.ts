// The local engine across applies: idempotence, restarts on change, updates in place, prune, overlays, references,
// coalesced passes, and re-adoption after a daemon restart.

import { describe, expect, it } from 'vitest';
import type { UnitSpec } from '../manifest/types.js';
import { engineHarness, type EngineHarness } from './testing/engine-harness.js';
import { desiredState, overlaySpec, unitSpec } from './testing/spec-builder.js';

const envFile = (sha: string) => [{ path: '/project/.env', required: true, sha256: sha }];

/** Applies specs and lets everything settle. */
const applyAll = async (h: EngineHarness, specs: UnitSpec[], prune = true, overlays = [] as ReturnType<typeof overlaySpec>[]) => {
  const plan = await h.engine.apply(desiredState(specs, overlays), { prune });
  await h.settle();
  return plan;
};

const pids = (h: EngineHarness, names: string[]) => Object.fromEntries(names.map((n) => [n, h.unit(n).pid]));

describe('LocalEngine: applying changes', () => {
  const project = (sha: string, maxRestarts = 0) => [
    unitSpec('db', { env_files: envFile(sha), max_restarts: maxRestarts }),
    unitSpec('api', { needs: [{ name: 'db', restart: true }] }),
    unitSpec('web', { needs: ['db'] }),
    unitSpec('worker'),
  ];

  it('applying the same desired state twice produces no actions the second time', async () => {
    const h = engineHarness();
    const first = await applyAll(h, project('v1'));
    expect(first.actions.map((a) => a.type)).toEqual(['start', 'start']);
    expect(await h.engine.whenSettled()).toBe(true);
    const started = h.runner.started.length;
    const second = await applyAll(h, project('v1'));
    expect(second.actions).toEqual([]);
    expect(h.runner.started.length).toBe(started);
    expect(h.runner.stops).toEqual([]);
  });

  it('a changed env file restarts exactly the unit that reads it, and the units that follow it', async () => {
    const h = engineHarness();
    await applyAll(h, project('v1'));
    const before = pids(h, ['db', 'api', 'web', 'worker']);
    const plan = await applyAll(h, project('v2'));
    expect(plan.actions).toEqual([{ type: 'stop', unit: 'api', reason: 'needs db, which restarts' }]);
    expect(plan.holds).toContainEqual(expect.objectContaining({ unit: 'db', reason: 'stopping-dependents', on: ['api'] }));
    const after = pids(h, ['db', 'api', 'web', 'worker']);
    expect(after.db).not.toBe(before.db);
    expect(after.api).not.toBe(before.api);
    expect({ web: after.web, worker: after.worker }).toEqual({ web: before.web, worker: before.worker });
    expect(h.stoppedUnits()).toEqual(['api', 'db']);
    const restart = h.events.find((e) => e.type === 'plan' && e.plan.actions.some((a) => a.type === 'restart'));
    expect(restart).toMatchObject({ plan: { actions: [{ type: 'restart', unit: 'db', reason: 'env file .env changed' }] } });
    const apiStart = h.events.filter((e) => e.type === 'plan').flatMap((e) => (e.type === 'plan' ? e.plan.actions : [])).find((a) => a.type === 'start' && a.unit === 'api' && a.reason !== 'new');
    expect(apiStart?.reason).toBe('needs db restarted');
    expect(['db', 'api', 'web', 'worker'].map((n) => h.unit(n).phase)).toEqual(['ready', 'ready', 'ready', 'ready']);
  });

  it('changing only max_restarts restarts nothing: an update in place', async () => {
    const h = engineHarness();
    await applyAll(h, project('v1', 0));
    const before = pids(h, ['db', 'api', 'web', 'worker']);
    const plan = await applyAll(h, project('v1', 7));
    expect(plan.actions).toEqual([{ type: 'update', unit: 'db', reason: 'max_restarts changed' }]);
    expect(pids(h, ['db', 'api', 'web', 'worker'])).toEqual(before);
    expect(h.runner.stops).toEqual([]);
    expect(h.unit('db').started?.spec.max_restarts).toBe(7);
    expect((await h.engine.apply(desiredState(project('v1', 7)), { prune: true })).actions).toEqual([]);
  });

  it('prune deletes a removed manifest unit but never an API unit; --no-prune keeps it', async () => {
    const h = engineHarness();
    await applyAll(h, [unitSpec('old'), unitSpec('keep')]);
    h.engine.upsert(unitSpec('adhoc'), { enabled: true });
    await h.settle();

    const kept = await applyAll(h, [unitSpec('keep')], false);
    expect(kept.actions).toEqual([]);
    expect(h.unit('old').phase).toBe('ready');

    const pruned = await applyAll(h, [unitSpec('keep')], true);
    expect(pruned.actions).toEqual([{ type: 'delete', unit: 'old', reason: 'not in manifest (prune)' }]);
    const { desired, observed } = h.engine.snapshot();
    expect(Object.keys(desired.units).sort()).toEqual(['adhoc', 'keep']);
    expect(Object.keys(observed.units).sort()).toEqual(['adhoc', 'keep']);
    expect(h.unit('adhoc')).toMatchObject({ phase: 'ready' });
    expect(h.stoppedUnits()).toEqual(['old']);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'unit-removed', unit: 'old', reason: 'not in manifest (prune)' }));
  });

  it('an overlay is copied before the unit that needs it; a changed source re-syncs and restarts that unit', async () => {
    const h = engineHarness();
    const site = unitSpec('site', { kind: 'server', overlays: ['tmpl'] });
    h.overlays.setDigest('tmpl', 'd1');
    await applyAll(h, [site, unitSpec('other')], true, [overlaySpec('tmpl')]);
    expect(h.overlays.syncCalls).toEqual(['tmpl']);
    expect(h.unit('site').phase).toBe('ready');
    const before = pids(h, ['site', 'other']);

    h.overlays.setDigest('tmpl', 'd2');
    expect(h.engine.plan(desiredState([site, unitSpec('other')], [overlaySpec('tmpl')]), { prune: true }).actions).toEqual([]);
    expect((await h.engine.preview(desiredState([site, unitSpec('other')], [overlaySpec('tmpl')]), { prune: true })).actions).toEqual([
      { type: 'sync-overlay', overlay: 'tmpl', reason: 'source changed' },
    ]);
    const plan = await applyAll(h, [site, unitSpec('other')], true, [overlaySpec('tmpl')]);
    expect(plan.actions).toEqual([{ type: 'sync-overlay', overlay: 'tmpl', reason: 'source changed' }]);
    expect(h.overlays.syncCalls).toEqual(['tmpl', 'tmpl']);
    expect(h.unit('site').pid).not.toBe(before.site);
    expect(h.unit('other').pid).toBe(before.other);
    const reasons = h.events.flatMap((e) => (e.type === 'plan' ? e.plan.actions : [])).map((a) => `${a.type}:${a.reason}`);
    expect(reasons).toContain('restart:overlay tmpl changed');
  });

  it('a ${units.api.url} reference is resolved to the port api got', async () => {
    const h = engineHarness();
    await applyAll(h, [unitSpec('api', { kind: 'server' }), unitSpec('ui', { env: { API: '${units.api.url}' }, args: ['--port', '${units.api.port}'] })]);
    const port = h.unit('api').port;
    expect(port).not.toBeNull();
    const ui = h.runner.started.find((r) => r.unit === 'ui');
    expect(ui?.env.API).toBe(`http://127.0.0.1:${port}`);
    expect(ui?.argv).toEqual(['ui', '--port', String(port)]);
  });
});

describe('LocalEngine: the loop', () => {
  it('collapses a burst of triggers into a few passes', async () => {
    const h = engineHarness();
    const names = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    await applyAll(h, names.map((n, i) => unitSpec(n, { health_port: 6000 + i })));
    const before = h.engine.passes;
    for (const name of names) h.health.setHealthy(name);
    await h.settle();
    expect(names.every((n) => h.unit(n).phase === 'ready')).toBe(true);
    expect(h.engine.passes - before).toBeLessThanOrEqual(3);
    expect(h.changes.length).toBeGreaterThan(0);
  });
});

describe('LocalEngine: adopt', () => {
  const specs = () => [unitSpec('db'), unitSpec('api', { needs: ['db'], restart_policy: 'always' }), unitSpec('web', { needs: ['api'] })];

  it('re-attaches to running units without starting anything', async () => {
    const first = engineHarness();
    await applyAll(first, specs());
    const saved = first.engine.snapshot();
    first.engine.close();

    const second = engineHarness({ survivors: first.runner.liveRuns() });
    const result = await second.engine.adopt({ desired: saved.desired, observed: saved.observed });
    await second.settle();
    expect(result).toEqual({ adopted: ['api', 'db', 'web'], lost: [] });
    expect(second.runner.started).toEqual([]);
    expect(second.runner.stops).toEqual([]);
    expect(second.logs.reattached.map((r) => r.unit).sort()).toEqual(['api', 'db', 'web']);
    expect(pids(second, ['db', 'api', 'web'])).toEqual(pids(first, ['db', 'api', 'web']));
    expect(second.engine.snapshot().holds).toEqual([]);
    expect((await second.engine.apply(desiredState(specs()), { prune: true })).actions).toEqual([]);

    second.runner.exit('db', 0);
    await second.settle();
    // An adopted run's exit status is lost: restart_policy never keeps it down, reported failed with the reason.
    expect(second.unit('db')).toMatchObject({ phase: 'failed', last_exit: { known: false } });
    expect(second.unit('db').last_error).toMatch(/exit status unknown.*restart_policy is never/);
  });

  it('a unit whose process died while no daemon watched follows its restart policy', async () => {
    const first = engineHarness();
    await applyAll(first, specs());
    const saved = first.engine.snapshot();
    first.engine.close();

    const survivors = first.runner.liveRuns().filter((r) => r.unit !== 'api');
    const second = engineHarness({ survivors });
    expect(await second.engine.adopt({ desired: saved.desired, observed: saved.observed })).toEqual({ adopted: ['db', 'web'], lost: ['api'] });
    await second.settle();
    expect(second.unit('api')).toMatchObject({ phase: 'backoff', last_exit: { known: false } });
    second.clock.advance(second.unit('api').backoff_until! - second.clock.now());
    await second.settle();
    expect(second.runner.started.map((r) => r.unit)).toEqual(['api']);
    expect(second.unit('api').phase).toBe('ready');
  });
});
