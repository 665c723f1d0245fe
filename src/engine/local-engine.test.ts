// The local engine on the runtime fakes and a manual clock: start order, stop order, crashes, failures, liveness.

import { describe, expect, it } from 'vitest';
import { decideRestart, jitterSeed } from './restart-policy.js';
import { engineHarness } from './testing/engine-harness.js';
import { desiredState, unitSpec } from './testing/spec-builder.js';

const checked = (name: string, needs: string[] = [], port = 5000) => unitSpec(name, { needs, health_port: port });

describe('LocalEngine: start and stop order', () => {
  it('starts a → b → c in order, each only once its needs are healthy; stopAll stops c, b, a', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([checked('a', [], 5001), checked('b', ['a'], 5002), checked('c', ['b'], 5003)]), { prune: true });
    await h.settle();
    expect(h.startedUnits()).toEqual(['a']);
    expect(h.unit('a').phase).toBe('running');
    expect(h.engine.snapshot().holds.map((x) => `${x.unit}:${x.reason}`)).toEqual(['b:waiting-for-needs', 'c:waiting-for-needs']);

    h.health.setHealthy('a');
    await h.settle();
    expect(h.startedUnits()).toEqual(['a', 'b']);
    expect(h.unit('a').phase).toBe('ready');

    h.health.setHealthy('b');
    await h.settle();
    h.health.setHealthy('c');
    await h.settle();
    expect(h.startedUnits()).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c'].map((n) => h.unit(n).phase)).toEqual(['ready', 'ready', 'ready']);
    expect(await h.engine.whenSettled()).toBe(true);

    await h.engine.stopAll({ clear: false });
    expect(h.stoppedUnits()).toEqual(['c', 'b', 'a']);
    expect(['a', 'b', 'c'].map((n) => h.unit(n).phase)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(h.ports.releases).toEqual(expect.arrayContaining(['a', 'b', 'c']));
  });

  it('start(name) brings its needs up first; stop(name) stops its dependents first', async () => {
    const h = engineHarness();
    h.engine.upsert(unitSpec('db'));
    h.engine.upsert(unitSpec('api', { needs: ['db'] }));
    await h.settle();
    expect(h.startedUnits()).toEqual([]);
    expect(h.engine.snapshot().holds.map((x) => x.reason)).toEqual(['disabled', 'disabled']);

    await h.engine.start('api');
    expect(h.startedUnits()).toEqual(['db', 'api']);
    expect(h.unit('api').phase).toBe('ready');

    await h.engine.stop('db');
    expect(h.stoppedUnits()).toEqual(['api', 'db']);
    expect(h.engine.snapshot().desired.units.api?.enabled).toBe(false);
  });

  it('a start that cannot spawn fails the unit with the reason and holds its dependents', async () => {
    const h = engineHarness();
    h.runner.failNextStart('db', 'not-found');
    await h.engine.apply(desiredState([unitSpec('db'), unitSpec('api', { needs: ['db'] })]), { prune: true });
    await h.settle();
    expect(h.unit('db').phase).toBe('failed');
    expect(h.unit('db').last_error).toMatch(/not-found/);
    expect(h.engine.snapshot().holds.find((x) => x.unit === 'api')).toMatchObject({ reason: 'dependency-failed', on: ['db'] });
  });
});

describe('LocalEngine: crashes', () => {
  it('backs off per decideRestart and gives up after max_restarts with status failed and the exit code', async () => {
    const h = engineHarness();
    const spec = unitSpec('flaky', { restart_policy: 'on-failure', max_restarts: 2, restart_delay_ms: 1000 });
    await h.engine.apply(desiredState([spec]), { prune: true });
    await h.settle();

    const delays: number[] = [];
    for (let crash = 0; crash < 2; crash += 1) {
      const before = h.unit('flaky');
      h.runner.exit('flaky', 1);
      await h.settle();
      const history = { restart_count: before.restart_count, crash_streak: before.crash_streak, started_at: before.started_at, exit: { code: 1, signal: null, known: true }, seed: jitterSeed('flaky') };
      const expected = decideRestart(spec, history, h.clock.now());
      expect(expected.kind).toBe('restart');
      const delay = expected.kind === 'restart' ? expected.delayMs : 0;
      delays.push(delay);
      expect(h.unit('flaky')).toMatchObject({ phase: 'backoff', backoff_until: h.clock.now() + delay });
      expect(h.engine.snapshot().holds[0]).toMatchObject({ unit: 'flaky', reason: 'backoff' });
      h.clock.advance(delay - 1);
      await h.settle();
      expect(h.unit('flaky').phase).toBe('backoff');
      h.clock.advance(1);
      await h.settle();
      expect(h.unit('flaky').phase).toBe('ready');
      expect(h.unit('flaky').restart_count).toBe(crash + 1);
    }
    expect(delays[1]).toBeGreaterThan(delays[0] ?? 0);

    h.runner.exit('flaky', 3);
    await h.settle();
    expect(h.unit('flaky')).toMatchObject({ phase: 'failed', last_exit: { code: 3 } });
    expect(h.unit('flaky').last_error).toMatch(/gave up/);
    expect(h.engine.snapshot().holds[0]).toMatchObject({ unit: 'flaky', reason: 'gave-up', terminal: true });
    expect(h.startedUnits()).toEqual(['flaky', 'flaky', 'flaky']);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a failed unit holds its dependents with dependency-failed while an unrelated unit still converges', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('db', { health_port: 5432 }), unitSpec('api', { needs: ['db'] }), unitSpec('worker', { health_port: 7000 })]), { prune: true });
    await h.settle();
    h.runner.exit('db', 1);
    await h.settle();
    expect(h.unit('db')).toMatchObject({ phase: 'failed', last_exit: { code: 1 } });
    expect(h.engine.snapshot().holds.find((x) => x.unit === 'api')).toMatchObject({
      reason: 'dependency-failed',
      message: expect.stringContaining('needs db, which failed: exited with code 1'),
    });
    h.health.setHealthy('worker');
    expect(await h.engine.whenSettled()).toBe(true);
    expect(h.unit('worker').phase).toBe('ready');
    expect(h.startedUnits()).toEqual(['db', 'worker']);
    const converged = h.events.filter((e) => e.type === 'converged').at(-1);
    expect(converged).toMatchObject({ ready: ['worker'], failed: ['db'] });
  });

  it('a ready unit that turns unhealthy is restarted per its restart policy (liveness), counted as a crash', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('web', { health_port: 8080, restart_policy: 'on-failure', restart_delay_ms: 500 })]), { prune: true });
    await h.settle();
    h.health.setHealthy('web');
    await h.settle();
    h.health.setUnhealthy('web', 'connection refused');
    await h.settle();
    expect(h.unit('web')).toMatchObject({ phase: 'backoff', crash_streak: 1 });
    expect(h.unit('web').last_error).toMatch(/health check failed: connection refused/);
    h.clock.advance(h.unit('web').backoff_until! - h.clock.now()); // 500 ms and its jitter
    await h.settle();
    expect(h.unit('web')).toMatchObject({ phase: 'running', restart_count: 1 });
    expect(h.startedUnits()).toEqual(['web', 'web']);
  });

  it('an install that fails fails the unit with the exit code and the last log lines', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('site', { kind: 'server', install: 'npm ci', cmd: 'npm start' })]), { prune: true });
    await h.settle();
    expect(h.unit('site').phase).toBe('installing');
    expect(h.runner.started[0]?.argv).toEqual(['/bin/sh', '-c', 'npm ci']);
    h.logs.emit('site', 'stderr', 'npm ERR! missing script: ci');
    h.runner.exit('site', 1);
    await h.settle();
    expect(h.unit('site')).toMatchObject({ phase: 'failed', last_exit: { code: 1 } });
    expect(h.unit('site').last_error).toMatch(/install exited with code 1.*npm ERR! missing script: ci/);
    expect(h.startedUnits()).toEqual(['site:install']);
    expect(h.ports.portOf('site')).toBeNull();
  });

  it('an install that succeeds is followed by the start, with PORT and the same environment', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('site', { kind: 'server', install: 'npm ci', cmd: 'npm start', env: { MODE: 'dev' } })]), { prune: true });
    await h.settle();
    h.runner.exit('site', 0);
    await h.settle();
    expect(h.startedUnits()).toEqual(['site:install', 'site']);
    const [install, main] = h.runner.started;
    expect(main?.env).toEqual({ MODE: 'dev', PORT: String(h.unit('site').port) });
    expect(install?.env).toEqual(main?.env);
    expect(h.unit('site').phase).toBe('ready');
  });

  it('stopping a unit during its install stops the install and never starts the unit', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('site', { kind: 'server', install: 'npm ci', cmd: 'npm start' })]), { prune: true });
    await h.settle();
    expect(h.unit('site').phase).toBe('installing');
    await h.engine.stop('site');
    await h.settle();
    expect(h.unit('site').phase).toBe('stopped');
    expect(h.startedUnits()).toEqual(['site:install']);
    expect(h.runner.isRunning('site')).toBe(false);
    expect(h.ports.portOf('site')).toBeNull();
  });
});

describe('LocalEngine: imperative calls', () => {
  it('restart(name) replaces the run; start(name) retries a failed unit; remove(name) forgets it', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('db'), unitSpec('api', { needs: [{ name: 'db', restart: true }] })]), { prune: true });
    await h.settle();
    const before = { db: h.unit('db').pid, api: h.unit('api').pid };

    await h.engine.restart('db');
    await h.settle();
    expect(h.stoppedUnits()).toEqual(['api', 'db']);
    expect(h.unit('db').pid).not.toBe(before.db);
    expect(h.unit('api').pid).not.toBe(before.api);
    expect(h.engine.snapshot().desired.units.db?.restart_requested).toBe(false);

    h.runner.exit('api', 1);
    await h.settle();
    expect(h.unit('api').phase).toBe('failed');
    await h.engine.start('api');
    expect(h.unit('api').phase).toBe('ready');

    await h.engine.remove('api');
    expect(h.engine.snapshot().desired.units.api).toBeUndefined();
    expect(h.engine.snapshot().observed.units.api).toBeUndefined();
    expect(h.unit('db').phase).toBe('ready');
  });

  it('upsert creates an API-owned unit, disabled until started; a manifest unit keeps its owner', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('db')]), { prune: true });
    await h.settle();
    h.engine.upsert(unitSpec('tool'));
    h.engine.upsert(unitSpec('db', { args: ['-v'] }));
    await h.settle();
    const { desired } = h.engine.snapshot();
    expect(desired.units.tool).toMatchObject({ owner: 'api', enabled: false });
    expect(desired.units.db).toMatchObject({ owner: 'manifest', enabled: true });
    expect(h.startedUnits()).toEqual(['db', 'db']);
    await expect(h.engine.start('nope')).rejects.toThrow('no unit named "nope"');
  });
});

