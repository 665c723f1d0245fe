// The runtime settings users have: global flags and run flags through SBX_CONTAINER_* (instead of a containers.conf),
// and the `publish` network mode (a private network with the unit's ports published on 127.0.0.1).

import { readlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { ContainerHarness, containerSpec } from './container-harness.js';
import { accepts, freePort } from './loopback.js';
import { grantableUlimits } from './podman-fixture.js';

const h = new ContainerHarness();

beforeAll(() => h.setup());
afterEach(async () => {
  expect(await h.leftovers()).toEqual({ containers: [], pids: [] });
});
afterAll(() => h.dispose());

/** sbx's environment without the fixture's containers.conf: everything must come from the SBX_CONTAINER_* flags. */
const withoutConf = (): Record<string, string | undefined> => {
  const env = { ...process.env };
  delete env.CONTAINERS_CONF;
  return env;
};

const flagsEnv = (runtimeFlag: string): Record<string, string> => ({
  SBX_CONTAINER_RUNTIME_FLAGS: `${runtimeFlag} --cgroup-manager=cgroupfs --events-backend=file`,
  SBX_CONTAINER_RUN_FLAGS: JSON.stringify(grantableUlimits().map((ulimit) => `--ulimit=${ulimit}`)),
});

describe('runtime settings', () => {
  it('runs with global and run flags from SBX_CONTAINER_RUNTIME_FLAGS / SBX_CONTAINER_RUN_FLAGS', async () => {
    const driver = await h.makeDriver(flagsEnv('--runtime=runc'), withoutConf());
    expect(driver.runtime.globalFlags).toEqual(['--runtime=runc', '--cgroup-manager=cgroupfs', '--events-backend=file']);
    const unit = await h.start(containerSpec('flags', ['sh', '-c', 'echo flags-ok; ulimit -n']), { driver });
    expect(await unit.process.exited).toMatchObject({ code: 0 });
    expect(h.read(unit.stdout)).toMatch(/^flags-ok\n\d+\n$/);
  });

  it('really passes the global flags: a runtime that does not exist fails the run with podman’s error', async () => {
    const driver = await h.makeDriver(flagsEnv('--runtime=/nonexistent/sbx-runc'), withoutConf());
    const unit = await h.start(containerSpec('badflags', ['true']), { driver });
    expect((await unit.process.exited).code).not.toBe(0);
    expect(h.read(unit.stderr)).toContain('/nonexistent/sbx-runc');
  });

  it('publishes port and health_port on 127.0.0.1 in publish mode, on a network of its own', async () => {
    const driver = await h.makeDriver({ SBX_CONTAINER_NETWORK: 'publish' });
    const port = await freePort();
    const spec = containerSpec('published', ['httpd', '-f', '-p', String(port), '-h', '/tmp'], { health_port: port });
    const unit = await h.start(spec, { driver });
    expect(unit.launch.argv).toContain(`--publish=127.0.0.1:${port}:${port}`);
    await eventually(() => accepts(port), { timeoutMs: 20_000, message: `port ${port} to be published` });
    const ns = await driver.exec(unit.launch.name, ['readlink', '/proc/self/ns/net'], 10_000);
    expect(ns.stdout.trim()).not.toBe(readlinkSync('/proc/self/ns/net'));
    await driver.stop(unit.launch.name, 1000);
    await h.runner.stop(unit.process.identity, 2000);
    await eventually(async () => !(await accepts(port)), { message: `port ${port} to be free` });
  });
});
