// Container units against a real podman: start and logs, env/workdir/user, host-network health port, stop timeout,
// crash exit codes, and no container or process left behind (census by label and by environment marker).

import { readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContainerDriver } from '../../src/runtime/container/container-driver.js';
import { eventually } from '../helpers/eventually.js';
import { censusPids } from '../runtime/census.js';
import { ContainerHarness, containerSpec, manifestVar } from './container-harness.js';
import { accepts, freePort } from './loopback.js';
import { IMAGE_DATA_DIR } from './podman-fixture.js';

const h = new ContainerHarness();

beforeAll(() => h.setup());
afterEach(async () => {
  expect(await h.leftovers()).toEqual({ containers: [], pids: [] });
});
afterAll(() => h.dispose());

describe('container units through the process runner', () => {
  it('runs the container attached: its stdout and stderr are the run’s, and its exit code is the run’s', async () => {
    const unit = await h.start(containerSpec('hello', ['sh', '-c', 'echo hello-out; echo hello-err >&2']));
    expect(await unit.process.exited).toMatchObject({ code: 0, known: true });
    expect(h.read(unit.stdout)).toBe('hello-out\n');
    expect(h.read(unit.stderr)).toBe('hello-err\n');
    await eventually(async () => (await h.driver.list({ unit: 'hello' })).length === 0, { message: 'the --rm container to be gone' });
  });

  it('applies env (manifest and injected, not sbx’s own), working_dir and user inside the container; values never on a command line', async () => {
    const canary = `canary-${h.runId()}`;
    const spec = containerSpec('envy', ['sh', '-c', 'id -u; id -g; pwd; env; echo ready; exec sleep 60'], {
      cwd: IMAGE_DATA_DIR,
      user: 'nobody',
      env: {
        GREETING: manifestVar('hello $(touch /tmp/x) `id`; && world\nline2'),
        API_KEY: { value: canary, source: { kind: 'env-file', file: '.env', line: 1 }, secret: true },
        HOST_ONLY: { value: 'from-sbx', source: { kind: 'sbx-environment' }, secret: false },
      },
    });
    const unit = await h.start(spec, { env: { PORT: '4711' } });
    await eventually(() => h.read(unit.stdout).includes('ready\n'), { message: 'the container to print its environment' });
    const lines = h.read(unit.stdout).split('\n');
    expect(lines.slice(0, 3)).toEqual(['65534', '65534', IMAGE_DATA_DIR]);
    expect(h.read(unit.stdout)).toContain('GREETING=hello $(touch /tmp/x) `id`; && world\nline2\n');
    expect(lines).toContain(`API_KEY=${canary}`);
    expect(lines).toContain('PORT=4711');
    expect(lines.some((line) => line.startsWith('HOST_ONLY='))).toBe(false);
    // No process of the run (the CLI in the run's cgroup; init and app by the census marker) shows the secret on its command line.
    const pids = new Set([...(await h.runner.members(unit.process.identity)), ...censusPids(h.census)]);
    expect(pids.size).toBeGreaterThanOrEqual(3);
    for (const pid of pids) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0));
      expect(cmdline.includes(canary)).toBe(false);
    }
    expect(unit.launch.argv.join('\0')).not.toContain(canary);
    await h.stop(unit, 2000);
  });

  it('serves a health port from inside the container on 127.0.0.1 (host network), freed after stop', async () => {
    const port = await freePort();
    const unit = await h.start(containerSpec('web', ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/tmp'], { health_port: port }));
    await eventually(() => accepts(port), { timeoutMs: 20_000, message: `the container to listen on ${port}` });
    await h.stop(unit, 2000);
    expect(await accepts(port)).toBe(false);
  });

  it('stops a container that exits on SIGTERM well before the timeout', async () => {
    const unit = await h.start(containerSpec('polite', ['sh', '-c', 'echo ready; exec sleep 600'], { stop_timeout_ms: 10_000 }));
    await eventually(() => h.read(unit.stdout).includes('ready'), { message: 'the container to start' });
    const outcome = await h.stop(unit, 10_000);
    expect(outcome.durationMs).toBeLessThan(8_000);
    expect(outcome.escalated).toBe(false);
    expect(await unit.process.exited).toMatchObject({ code: 143 });
    expect(await h.driver.state(unit.launch.name)).toBeNull();
  });

  it('kills a container that ignores SIGTERM after the stop timeout, and it is gone', async () => {
    const script = 'trap "" TERM; echo ready; while :; do sleep 1; done';
    const unit = await h.start(containerSpec('stubborn', ['sh', '-c', script], { stop_timeout_ms: 1000 }));
    await eventually(() => h.read(unit.stdout).includes('ready'), { message: 'the container to start' });
    const outcome = await h.stop(unit, 1000);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(900);
    expect(outcome.durationMs).toBeLessThan(15_000);
    expect(outcome.escalated).toBe(true);
    expect(await unit.process.exited).toMatchObject({ code: 137 });
    expect(await h.runner.members(unit.process.identity)).toEqual([]);
    expect(await h.driver.list({ unit: 'stubborn' })).toEqual([]);
  });

  it('reports a crash as the run’s exit code (so the restart policy sees it), and a new run of the unit starts cleanly', async () => {
    const first = await h.start(containerSpec('crashy', ['sh', '-c', 'echo dying; exit 42']));
    expect(await first.process.exited).toMatchObject({ code: 42, known: true });
    expect(h.read(first.stdout)).toBe('dying\n');
    await eventually(async () => (await h.driver.list({ unit: 'crashy' })).length === 0, { message: 'the crashed container to be removed' });
    const second = await h.start(containerSpec('crashy', ['sh', '-c', 'echo again; exit 0']));
    expect(await second.process.exited).toMatchObject({ code: 0 });
    expect(h.read(second.stdout)).toBe('again\n');
    expect(second.launch.name).not.toBe(first.launch.name);
  });

  it('fails a run whose image is missing with the runtime’s error in the run’s stderr', async () => {
    const unit = await h.start(containerSpec('ghost', ['true'], { image: 'localhost/sbx-no-such-image:never' }));
    const exit = await unit.process.exited;
    expect(exit.code).not.toBe(0);
    expect(h.read(unit.stderr)).toContain('sbx-no-such-image');
  });

  it('lists a project’s containers by label and removes leftovers (what `down` does)', async () => {
    const runA = h.runId();
    const a = await h.start(containerSpec('left-a', ['sh', '-c', 'echo ready; exec sleep 600']), { runId: runA });
    const b = await h.start(containerSpec('left-b', ['sh', '-c', 'echo ready; exec sleep 600']));
    await eventually(() => h.read(a.stdout).includes('ready') && h.read(b.stdout).includes('ready'), { message: 'both containers to start' });
    const listed = await h.driver.list();
    expect(listed.map((info) => info.name).sort()).toEqual([a.launch.name, b.launch.name].sort());
    expect(listed.every((info) => info.state === 'running')).toBe(true);
    expect((await h.driver.findRunning('left-a'))?.name).toBe(a.launch.name);
    // An unrelated project's driver sees none of them.
    const other = new ContainerDriver({ runtime: h.driver.runtime, project: `${h.project}-other`, env: h.fixture.env });
    expect(await other.list()).toEqual([]);
    // After a daemon restart that adopted only a's run, b's container is stale.
    expect(await h.driver.removeStale([runA])).toEqual([b.launch.name]);
    expect((await h.driver.removeAll()).sort()).toEqual([a.launch.name]);
    await Promise.all([a.process.exited, b.process.exited]);
    await h.runner.stop(a.process.identity, 2000);
    await h.runner.stop(b.process.identity, 2000);
  });

  it('exec never reaches the host mount namespace', async () => {
    const unit = await h.start(containerSpec('ns', ['sh', '-c', 'echo ready; exec sleep 600']));
    await eventually(() => h.read(unit.stdout).includes('ready'), { message: 'the container to start' });
    const result = await h.driver.exec(unit.launch.name, ['readlink', '/proc/self/ns/mnt'], 10_000);
    expect(result.exit_code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^mnt:\[\d+\]$/);
    expect(result.stdout.trim()).not.toBe(readlinkSync('/proc/self/ns/mnt'));
    await h.stop(unit, 1000);
  });
});
