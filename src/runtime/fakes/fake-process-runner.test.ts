import { describe, expect, it } from 'vitest';
import type { LaunchRequest } from '../process-runner.js';
import { SpawnError } from '../process-runner.js';
import { FakeProcessRunner } from './fake-process-runner.js';

const request = (unit: string, runId = '1'): LaunchRequest => ({
  unit,
  runId,
  argv: ['node', 'server.js'],
  cwd: '/srv',
  env: {},
  user: null,
  stdio: { stdout: 1, stderr: 2 },
});

describe('FakeProcessRunner', () => {
  it('records starts with deterministic identities and resolves exited when the test says so', async () => {
    const runner = new FakeProcessRunner();
    const api = await runner.start(request('api'));
    const web = await runner.start(request('web', '7'));
    expect(api.identity).toEqual({ pid: 1000, startTime: 5000, tag: 'api.1', cgroup: null });
    expect(web.identity).toEqual({ pid: 1001, startTime: 5001, tag: 'web.7', cgroup: null });
    expect(runner.started.map((r) => r.unit)).toEqual(['api', 'web']);
    expect(await runner.members(api.identity)).toEqual([1000]);

    runner.exit('api', 3);
    await expect(api.exited).resolves.toEqual({ code: 3, signal: null, known: true });
    expect(runner.isRunning('api')).toBe(false);
    expect(await runner.members(api.identity)).toEqual([]);
    expect(() => runner.exit('api')).toThrow(/no live run/);
  });

  it('fails a start on request, once', async () => {
    const runner = new FakeProcessRunner();
    runner.failNextStart('api', 'unknown-user');
    const error = await runner.start(request('api')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as SpawnError).code).toBe('unknown-user');
    await expect(runner.start(request('api'))).resolves.toBeDefined();
  });

  it('stops with TERM, or with an escalation when asked', async () => {
    const runner = new FakeProcessRunner();
    const a = await runner.start(request('a'));
    expect(await runner.stop(a.identity, 500)).toEqual({ escalated: false, durationMs: 0 });
    await expect(a.exited).resolves.toEqual({ code: null, signal: 'SIGTERM', known: true });

    const b = await runner.start(request('b'));
    runner.escalateNextStop('b');
    expect(await runner.stop(b.identity, 500)).toEqual({ escalated: true, durationMs: 500 });
    await expect(b.exited).resolves.toEqual({ code: null, signal: 'SIGKILL', known: true });
    expect(runner.stops.map((s) => s.unit)).toEqual(['a', 'b']);
  });

  it('adopts survivors of an earlier instance by pid and start time, never a stranger', async () => {
    const before = new FakeProcessRunner();
    const api = await before.start(request('api'));
    const after = new FakeProcessRunner({ survivors: before.liveRuns() });

    expect(after.adopt({ ...api.identity, startTime: 1 })).toBeNull();
    const adopted = after.adopt(api.identity);
    expect(adopted?.identity).toEqual(api.identity);
    expect(after.isRunning('api')).toBe(true);
    after.exit('api', 0);
    await expect(adopted!.exited).resolves.toEqual({ code: 0, signal: null, known: false });
    expect(after.adoptions.map((a) => a.adopted)).toEqual([false, true]);
  });
});
