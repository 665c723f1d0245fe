// Container units' lifecycle end to end (real CLI, daemon and podman): a crashed container is replaced by a new one
// (restart_policy on-failure), a daemon killed with SIGKILL adopts the containers that still run and removes the one
// whose run is gone, a container that ignores SIGTERM lives until stop_timeout_ms and not after, and down leaves none.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { CENSUS_VARIABLE } from '../runtime/census.js';
import { ContainerProject } from './container-project.js';
import { PodmanFixture, TEST_IMAGE } from './podman-fixture.js';

const podman = new PodmanFixture();
let project: ContainerProject;

const STOP_TIMEOUT_MS = 3000;

const manifest = (census: string): string => `version: 1
environment:
  ${CENSUS_VARIABLE}: ${census}
services:
  stubborn:
    cmd: sh
    args: [-c, "trap 'echo got-TERM-and-ignored-it' TERM; echo stubborn-ready; while true; do echo tick; sleep 0.2; done"]
    container: true
    image: ${TEST_IMAGE}
    stop_timeout_ms: ${STOP_TIMEOUT_MS}
  flaky:
    cmd: sh
    args: [-c, "echo flaky-up; while [ ! -f /tmp/crash-now ]; do sleep 0.2; done; echo crashing; exit 1"]
    container: true
    image: ${TEST_IMAGE}
    restart_policy: on-failure
    restart_delay_ms: 200
    stop_timeout_ms: 1000
`;

/** The unit's containers as `name state` lines. */
const containersOf = (unit: string): string[] => project.containers(`sbx.unit=${unit}`);

/** `sbx logs UNIT` once it holds `text` (the container printed it). */
const logsWith = (unit: string, text: string, count = 1): Promise<string> =>
  eventually(
    async () => {
      const out = (await project.sbxOk(['logs', unit])).stdout;
      return out.split('\n').filter((line) => line === text).length >= count ? out : '';
    },
    { timeoutMs: 60_000, message: `${count} × "${text}" in sbx logs ${unit}` },
  );

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  podman.prepare();
  project = await ContainerProject.create(podman, manifest);
  await project.sbxOk(['apply']);
});

afterAll(async () => {
  const left = await project.teardown();
  podman.dispose();
  expect(left).toEqual({ containers: [], pids: [] });
});

describe('container unit lifecycle through sbx and podman', () => {
  it('restarts after a crash: the process exits 1, a new container comes up, restart_count 1', async () => {
    await logsWith('flaky', 'flaky-up');
    const [first] = containersOf('flaky');
    expect(first).toMatch(/ running$/);
    await project.sbxOk(['exec', 'flaky', '--', 'touch', '/tmp/crash-now']);
    const second = await eventually(
      async () => {
        const flaky = (await project.units()).flaky;
        const now = containersOf('flaky');
        return flaky?.phase === 'ready' && flaky.restart_count === 1 && now.length === 1 && now[0] !== first && now[0]?.endsWith(' running') ? now[0] : null;
      },
      { timeoutMs: 60_000, message: 'a new flaky container after the crash' },
    );
    expect(second).not.toBe(first);
    expect((await project.units()).flaky).toMatchObject({ exit_code: 1, restart_count: 1 });
    const logs = await logsWith('flaky', 'flaky-up', 2);
    expect(logs).toContain('crashing');
  });

  it('after a SIGKILLed daemon, the next one adopts the containers that run and removes the one whose run is gone', async () => {
    await logsWith('stubborn', 'stubborn-ready');
    const before = await project.units();
    const [stubbornContainer] = containersOf('stubborn');
    const [flakyContainer] = containersOf('flaky');
    const daemonPid = (await (await project.client()).health()).pid;
    const flakyCli = before.flaky?.pid ?? 0;
    expect(flakyCli).toBeGreaterThan(0);
    // The daemon dies, and so does flaky's podman CLI: its container keeps running, but no run holds it any more.
    process.kill(daemonPid, 'SIGKILL');
    process.kill(flakyCli, 'SIGKILL');
    await eventually(() => !isAlive(daemonPid) && !isAlive(flakyCli), { message: 'the daemon and the CLI gone' });
    expect(containersOf('flaky')).toEqual([flakyContainer]);

    await project.sbxOk(['status']); // the CLI starts a new daemon, which adopts
    const after = await project.units();
    expect(after.stubborn).toMatchObject({ phase: 'ready', pid: before.stubborn?.pid });
    await eventually(
      async () => {
        const now = containersOf('flaky');
        return (await project.units()).flaky?.phase === 'ready' && now.length === 1 && now[0] !== flakyContainer && now[0]?.endsWith(' running');
      },
      { timeoutMs: 60_000, message: 'the stale flaky container removed and a new one running' },
    );
    expect(containersOf('stubborn')).toEqual([stubbornContainer]);
  });

  it('stop timeout: a container ignoring SIGTERM is still running after TERM, and gone once stop_timeout_ms passed', async () => {
    const stopping = project.sbx(['stop', 'stubborn']);
    const started = Date.now();
    await logsWith('stubborn', 'got-TERM-and-ignored-it');
    // It got TERM and lives on (podman reports it `stopping`): the stop waits for it.
    expect(containersOf('stubborn')).toEqual([expect.stringMatching(/ (running|stopping)$/)]);
    const stopped = await stopping;
    const elapsed = Date.now() - started;
    expect(stopped.exitCode).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(STOP_TIMEOUT_MS);
    expect(containersOf('stubborn')).toEqual([]);
    expect((await project.units()).stubborn?.phase).toBe('stopped');
    const logs = (await project.sbxOk(['logs', 'stubborn'])).stdout.split('\n');
    // Ticks went on after TERM: the container ran until the runtime's KILL.
    expect(logs.slice(logs.lastIndexOf('got-TERM-and-ignored-it') + 1)).toContain('tick');
  });

  it('down: no container of the project is left', async () => {
    expect(containersOf('flaky')).toHaveLength(1);
    await project.sbxOk(['down']);
    expect(project.containers()).toEqual([]);
  });
});
