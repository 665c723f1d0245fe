// The real runner against real processes, in both containment modes: nothing of a unit outlives its stop.

import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { LinuxProcessRunner, TAG_VARIABLE } from '../../src/runtime/linux-process-runner.js';
import { SpawnError } from '../../src/runtime/process-runner.js';
import { censusPids, killCensus, newCensusValue } from './census.js';
import { RunnerHarness, fixture } from './runner-harness.js';

describe.each([
  { mode: 'auto' as const, label: 'cgroup v2 per run' },
  { mode: 'off' as const, label: 'environment tag' },
])('LinuxProcessRunner ($label)', ({ mode }) => {
  let census: string;
  let harness: RunnerHarness;
  let runner: LinuxProcessRunner;

  beforeEach(() => {
    census = newCensusValue();
    harness = new RunnerHarness(census);
    runner = new LinuxProcessRunner({ cgroups: mode });
  });

  afterEach(() => {
    const leftovers = killCensus(census);
    harness.dispose();
    expect(leftovers, 'processes left behind by the test').toBe(0);
  });

  it('uses a cgroup here only in auto mode', async () => {
    const run = await harness.start(runner, harness.request('probe', ['/bin/sh', '-c', 'exit 0']));
    await run.exited;
    if (mode === 'auto') expect(run.identity.cgroup).toMatch(/\/sbx\/probe\.0\.[0-9a-f]{8}$/);
    else expect(run.identity.cgroup).toBeNull();
    await runner.stop(run.identity, 1000);
  });

  it('stops 20 concurrent units with children, setsid grandchildren and double-forked daemons: 0 survivors', async () => {
    const units = Array.from({ length: 20 }, (_, i) => `tree-${i}`);
    const runs = await Promise.all(units.map((unit) => harness.start(runner, harness.request(unit, ['/bin/sh', fixture('process-tree.sh')]))));
    await Promise.all(units.map((unit) => harness.ready(unit)));
    // Leader + child + setsid'd grandchild + double-forked daemon per unit, all carrying the marker.
    await eventually(() => censusPids(census).length === 80, { message: '80 tagged processes' });
    const first = runs[0]!;
    expect((await runner.members(first.identity)).sort()).toEqual(
      censusPids(census).filter((pid) => readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`${TAG_VARIABLE}=${first.identity.tag}\0`)).sort(),
    );
    expect(await runner.members(first.identity)).toHaveLength(4);

    const outcomes = await Promise.all(runs.map((run) => runner.stop(run.identity, 5000)));

    expect(censusPids(census)).toEqual([]);
    for (const outcome of outcomes) expect(outcome.escalated).toBe(false);
    for (const run of runs) {
      expect(await runner.members(run.identity)).toEqual([]);
      if (run.identity.cgroup) expect(existsSync(run.identity.cgroup)).toBe(false);
      await expect(run.exited).resolves.toMatchObject({ known: true });
    }
  });

  it('stops a run issued right after start (before its entry has run): nothing left, stop resolves', async () => {
    for (let i = 0; i < 10; i++) {
      const run = await harness.start(runner, harness.request(`quick${i}`, ['/bin/sh', '-c', 'sleep 30']));
      const outcome = await runner.stop(run.identity, 2_000);
      expect(outcome.durationMs).toBeLessThan(3_000);
      expect(await runner.members(run.identity)).toEqual([]);
      const exit = await run.exited;
      expect(exit.code === 125).toBe(false);
    }
    expect(censusPids(census)).toEqual([]);
  });

  it('escalates to SIGKILL when the leader exits on TERM but its child ignores TERM, within stop_timeout_ms + 1 s', async () => {
    const run = await harness.start(runner, harness.request('stubborn', ['/bin/sh', fixture('term-exit-leader.sh')]));
    await harness.ready('stubborn');
    expect(censusPids(census)).toHaveLength(2);

    const began = Date.now();
    const outcome = await runner.stop(run.identity, 1000);
    const elapsed = Date.now() - began;

    expect(censusPids(census)).toEqual([]);
    expect(outcome.escalated).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(2000);
    expect(outcome.durationMs).toBeLessThan(2000);
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null, known: true });
  });

  it('leaves the other members running when the leader exits; stop then cleans them up', async () => {
    const script = 'sleep 100000 & echo ready > "$READY_FILE"; exit 7';
    const run = await harness.start(runner, harness.request('orphaning', ['/bin/sh', '-c', script]));
    await expect(run.exited).resolves.toEqual({ code: 7, signal: null, known: true });
    expect(censusPids(census)).toHaveLength(1);
    expect(await runner.members(run.identity)).toEqual(censusPids(census));

    const outcome = await runner.stop(run.identity, 2000);
    expect(outcome.escalated).toBe(false);
    expect(censusPids(census)).toEqual([]);
  });

  it('execs argv verbatim (no shell parsing) with cwd, env and the tag', async () => {
    const pwned = `${harness.dir}/pwned`;
    const argv = ['/bin/sh', '-c', 'echo "$PWD|$FOO|$SBX_TAG" > out.txt; echo ready > "$READY_FILE"; exec sleep 100000', 'name', `$(touch ${pwned})`, 'a b;c`id`', '\'"'];
    const request = harness.request('argv', argv);
    const run = await harness.start(runner, { ...request, env: { ...request.env, FOO: 'bar baz' } });
    await harness.ready('argv');
    expect(readFileSync(`${harness.dir}/out.txt`, 'utf8')).toBe(`${harness.dir}|bar baz|${run.identity.tag}\n`);
    expect(existsSync(pwned)).toBe(false);
    // The leader exec'd sleep, keeping its pid (and its identity).
    // The fixture's shell execs `sleep` after announcing readiness: wait for the exec, then compare exactly.
    await eventually(() => readFileSync(`/proc/${run.identity.pid}/cmdline`, 'utf8').startsWith('sleep'), { message: 'exec of sleep' });
    expect(readFileSync(`/proc/${run.identity.pid}/cmdline`, 'utf8')).toBe('sleep\u0000100000\u0000');
    await runner.stop(run.identity, 2000);
  });

  it('records the exact argv of the leader, stdin from /dev/null', async () => {
    const argv = ['/bin/sh', '-c', 'echo ready > "$READY_FILE"; sleep 100000 & wait', 'name', '$(touch x)', 'a b;c', ''];
    const run = await harness.start(runner, harness.request('exact', argv));
    await harness.ready('exact');
    expect(readFileSync(`/proc/${run.identity.pid}/cmdline`, 'utf8')).toBe(`${argv.join('\u0000')}\u0000`);
    expect(readlinkSync(`/proc/${run.identity.pid}/fd/0`)).toBe('/dev/null');
    await runner.stop(run.identity, 2000);
  });

  it('stops a leader that cleared its environment (the tag alone would miss it)', async () => {
    const run = await harness.start(runner, harness.request('env-less', ['/bin/sh', '-c', 'echo ready > "$READY_FILE"; exec env -i /bin/sleep 100000']));
    await harness.ready('env-less');
    await eventually(() => readFileSync(`/proc/${run.identity.pid}/cmdline`, 'latin1') === '/bin/sleep\u0000100000\u0000', { message: 'env -i to exec sleep' });
    expect(await runner.members(run.identity)).toEqual([run.identity.pid]);
    await runner.stop(run.identity, 2000);
    await expect(run.exited).resolves.toEqual({ code: null, signal: 'SIGTERM', known: true });
  });

  it('reports an exit by signal', async () => {
    const run = await harness.start(runner, harness.request('killed', ['/bin/sh', '-c', 'echo ready > "$READY_FILE"; exec sleep 100000']));
    await harness.ready('killed');
    process.kill(run.identity.pid, 'SIGKILL');
    await expect(run.exited).resolves.toEqual({ code: null, signal: 'SIGKILL', known: true });
    await runner.stop(run.identity, 1000);
  });

  it('refuses a missing cwd, a missing program and an empty argv with clear SpawnErrors', async () => {
    const spawnError = async (promise: Promise<unknown>): Promise<SpawnError> => {
      const error = await promise.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(SpawnError);
      return error as SpawnError;
    };
    const badCwd = await spawnError(harness.start(runner, harness.request('a', ['/bin/true'], { cwd: `${harness.dir}/missing` })));
    expect(badCwd.code).toBe('bad-cwd');
    expect(badCwd.message).toContain(`${harness.dir}/missing`);
    const notFound = await spawnError(harness.start(runner, harness.request('b', ['no-such-program-sbx'])));
    expect(notFound.code).toBe('not-found');
    expect(notFound.message).toContain('no-such-program-sbx');
    expect((await spawnError(harness.start(runner, harness.request('c', [])))).code).toBe('not-found');
    const nul = await spawnError(harness.start(runner, harness.request('d', ['/bin/echo', 'a\u0000b'])));
    expect(nul.code).toBe('spawn-failed');
    expect(nul.message).toMatch(/^unit d: cannot start: /);
  });
});
