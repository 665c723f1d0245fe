// Container units in the local engine (fake launcher over the fake runner): what the launcher is asked, what the
// runner execs, stops through the launcher, crash restarts, failures, and the clean-ups after adopt and stopAll.

import { describe, expect, it } from 'vitest';
import { NO_CONTAINER_LAUNCHER } from './container-launcher.js';
import { FakeContainerLauncher } from './testing/fake-container-launcher.js';
import { engineHarness, type EngineHarness } from './testing/engine-harness.js';
import { desiredState, unitSpec } from './testing/spec-builder.js';

const boxed = (name: string, input: Parameters<typeof unitSpec>[1] = {}) =>
  unitSpec(name, { container: true, image: 'localhost/box:v1', cwd: '/data', user: 'nobody', ...input });

const applyAll = async (h: EngineHarness, specs: ReturnType<typeof unitSpec>[]): Promise<void> => {
  await h.engine.apply(desiredState(specs), { prune: true });
  await h.settle();
};

describe('LocalEngine: container units', () => {
  it('asks the launcher with substituted argv and the final env, and execs its CLI argv as sbx (cwd /, no user)', async () => {
    const h = engineHarness();
    await applyAll(h, [unitSpec('db', { port: 5432 }), boxed('api', { args: ['--db', '${units.db.url}'], port: 8080, env: { MODE: 'x' } })]);
    expect(h.containers.launches).toEqual([
      { unit: 'api', runId: h.unit('api').run_id, argv: ['api', '--db', 'http://127.0.0.1:5432'], env: { MODE: 'x', PORT: '8080' } },
    ]);
    const request = h.runner.started.find((r) => r.unit === 'api');
    expect(request).toMatchObject({
      argv: ['fake-podman', 'run', FakeContainerLauncher.nameFor('api', h.unit('api').run_id ?? ''), '-e', 'MODE', '-e', 'PORT', '--', 'api', '--db', 'http://127.0.0.1:5432'],
      cwd: '/',
      user: null,
      env: { MODE: 'x', PORT: '8080' },
    });
    // The host unit is untouched by any of this.
    expect(h.runner.started.find((r) => r.unit === 'db')).toMatchObject({ argv: ['db'], cwd: '/project', user: null });
    expect(h.unit('api').phase).toBe('ready');
  });

  it('stops a container run through the launcher (with its stop timeout), a host run through the runner alone', async () => {
    const h = engineHarness();
    await applyAll(h, [unitSpec('db'), boxed('api', { stop_timeout_ms: 3000 })]);
    const runId = h.unit('api').run_id;
    await h.engine.stopAll({ clear: false });
    expect(h.containers.stops).toEqual([{ unit: 'api', runId, timeoutMs: 3000 }]);
    expect(h.stoppedUnits().sort()).toEqual(['api', 'db']);
    expect(['api', 'db'].map((n) => h.unit(n).phase)).toEqual(['stopped', 'stopped']);
  });

  it('after a crash cleans up through the launcher and restarts with a new run (restart_count 1)', async () => {
    const h = engineHarness();
    await applyAll(h, [boxed('api', { restart_policy: 'on-failure', restart_delay_ms: 500 })]);
    const first = h.unit('api').run_id;
    h.runner.exit('api', 1);
    await h.settle();
    expect(h.containers.stops.map((s) => s.runId)).toEqual([first]);
    expect(h.unit('api').phase).toBe('backoff');
    h.clock.advance(h.unit('api').backoff_until! - h.clock.now()); // 500 ms and its jitter
    await h.settle();
    expect(h.containers.launches.map((l) => l.runId)).toEqual([first, h.unit('api').run_id]);
    expect(h.unit('api').run_id).not.toBe(first);
    expect(h.unit('api')).toMatchObject({ phase: 'ready', restart_count: 1 });
  });

  it('a launch the launcher rejects fails that unit with its reason and leaves host units alone', async () => {
    const h = engineHarness();
    h.containers.failNextLaunch('api', 'container units need podman or docker, and neither is on PATH');
    await applyAll(h, [unitSpec('db'), boxed('api')]);
    expect(h.unit('api')).toMatchObject({ phase: 'failed', last_error: 'container units need podman or docker, and neither is on PATH' });
    expect(h.unit('db').phase).toBe('ready');
    expect(h.runner.started.map((r) => r.unit)).toEqual(['db']);
  });

  it('without a launcher a container unit fails with a clear reason instead of running on the host', async () => {
    const h = engineHarness({ containers: false });
    await applyAll(h, [boxed('api')]);
    expect(h.unit('api')).toMatchObject({ phase: 'failed', last_error: NO_CONTAINER_LAUNCHER });
    expect(h.runner.started).toEqual([]);
  });

  it('after adopt sweeps containers of runs no one holds, and stops an adopted container run through the launcher', async () => {
    const first = engineHarness();
    await applyAll(first, [boxed('api'), boxed('worker'), unitSpec('db')]);
    const saved = first.engine.snapshot();
    first.engine.close();

    const survivors = first.runner.liveRuns().filter((r) => r.unit !== 'worker');
    const second = engineHarness({ survivors });
    expect(await second.engine.adopt({ desired: saved.desired, observed: saved.observed })).toEqual({ adopted: ['api', 'db'], lost: ['worker'] });
    await second.settle();
    expect(second.containers.staleSweeps).toEqual([[saved.observed.units.api?.run_id, saved.observed.units.db?.run_id].sort()]);
    await second.engine.stop('api');
    expect(second.containers.stops).toEqual([{ unit: 'api', runId: saved.observed.units.api?.run_id, timeoutMs: 10_000 }]);
  });

  it('stopAll removes the leftovers only when the project has container units', async () => {
    const hosts = engineHarness();
    await applyAll(hosts, [unitSpec('db')]);
    await hosts.engine.stopAll({ clear: false });
    expect(hosts.containers.removeAllCalls).toBe(0);

    const mixed = engineHarness();
    await applyAll(mixed, [unitSpec('db'), boxed('api')]);
    mixed.containers.leftovers = ['sbx-demo-api-r0'];
    await mixed.engine.stopAll({ clear: true });
    expect(mixed.containers.removeAllCalls).toBe(1);
  });
});
