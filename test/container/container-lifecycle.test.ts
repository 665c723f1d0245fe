// S1 and S6 through podman: a container whose app forks, setsid()s and double-forks (one of them holding a port)
// leaves nothing behind after stop, cycle after cycle; and a run survives the loss of the daemon's runner and is
// adopted and stopped by a new one.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LinuxProcessRunner } from '../../src/runtime/linux-process-runner.js';
import { eventually } from '../helpers/eventually.js';
import { censusPids } from '../runtime/census.js';
import { ContainerHarness, containerSpec } from './container-harness.js';
import { accepts, freePort } from './loopback.js';

const h = new ContainerHarness();

beforeAll(() => h.setup());
afterEach(async () => {
  expect(await h.leftovers()).toEqual({ containers: [], pids: [] });
});
afterAll(() => h.dispose());

/** A plain child, a child in a new session, a double-forked one, and busybox httpd daemonizing itself on the port. */
const treeScript = (port: number): string =>
  `sleep 100000 & setsid sh -c "sleep 100001 &"; (sleep 100002 &); httpd -p 127.0.0.1:${port} -h /tmp; echo ready; exec sleep 100003`;

describe('container lifecycle', () => {
  it('stops a container’s whole process tree (setsid, double fork, a daemon on a port) with nothing left, cycle after cycle', async () => {
    const port = await freePort();
    for (let cycle = 0; cycle < 5; cycle++) {
      const unit = await h.start(containerSpec('tree', ['sh', '-c', treeScript(port)], { health_port: port, stop_timeout_ms: 1000 }));
      await eventually(() => h.read(unit.stdout).includes('ready'), { message: `cycle ${cycle}: the tree to start` });
      await eventually(() => accepts(port), { message: `cycle ${cycle}: the daemonized httpd to listen` });
      expect(censusPids(h.census).length).toBeGreaterThanOrEqual(5);
      const started = Date.now();
      await h.stop(unit, 1000);
      expect(Date.now() - started).toBeLessThan(1000 + 10_000);
      expect(censusPids(h.census)).toEqual([]);
      expect(await accepts(port)).toBe(false);
      expect(h.read(unit.stderr)).not.toMatch(/in use/i);
    }
  });

  it('keeps running when the runner that started it is gone; a new runner adopts the CLI process and sees it end on stop', async () => {
    const unit = await h.start(containerSpec('adoptee', ['sh', '-c', 'echo ready; exec sleep 600']));
    await eventually(() => h.read(unit.stdout).includes('ready'), { message: 'the container to start' });
    const restarted = new LinuxProcessRunner();
    const adopted = restarted.adopt(unit.process.identity);
    expect(adopted).not.toBeNull();
    expect((await h.driver.findRunning('adoptee'))?.name).toBe(unit.launch.name);
    await h.driver.stop(unit.launch.name, 1000);
    expect(await adopted?.exited).toMatchObject({ known: false });
    await restarted.stop(unit.process.identity, 2000);
    expect(await restarted.members(unit.process.identity)).toEqual([]);
  });
});
