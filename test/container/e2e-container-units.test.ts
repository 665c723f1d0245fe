// Container units end to end through the real CLI and daemon on real podman: a busybox httpd in a container comes up
// ready through its health port on the host network, its output is in `sbx logs`, exec answers through the CLI and
// the API, and `sbx down` leaves no container of the project (leftovers included).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/daemon/api-client.js';
import { eventually } from '../helpers/eventually.js';
import { CENSUS_VARIABLE } from '../runtime/census.js';
import { ContainerProject } from './container-project.js';
import { accepts, freePort } from './loopback.js';
import { PodmanFixture, TEST_IMAGE } from './podman-fixture.js';

const podman = new PodmanFixture();
let project: ContainerProject;
let port: number;

const manifest = (census: string, webPort: number): string => `version: 1
environment:
  ${CENSUS_VARIABLE}: ${census}
services:
  web:
    cmd: sh
    args:
      - -c
      - mkdir -p /tmp/www && echo served-from-the-container > /tmp/www/index.html && echo "web started as $(id -un) in $(pwd)" && exec httpd -f -p 127.0.0.1:${webPort} -h /tmp/www
    working_dir: /data
    env: { GREETING: hello-inside }
    container: true
    image: ${TEST_IMAGE}
    health_port: ${webPort}
    stop_timeout_ms: 1000
`;

/** GET http://127.0.0.1:port/path, as text. */
const fetchText = async (path: string): Promise<string> => (await fetch(`http://127.0.0.1:${port}${path}`)).text();

beforeAll(async () => {
  podman.prepare();
  port = await freePort();
  project = await ContainerProject.create(podman, (census) => manifest(census, port));
  await project.sbxOk(['apply']);
});

afterAll(async () => {
  const left = await project.teardown();
  podman.dispose();
  expect(left).toEqual({ containers: [], pids: [] });
});

describe('container units through sbx and podman', () => {
  it('starts: the unit is ready once its health port answers from inside the container, on the host network', async () => {
    const web = (await project.units()).web;
    expect(web).toMatchObject({ phase: 'ready', healthy: true, restart_count: 0 });
    expect(project.containers()).toEqual([expect.stringMatching(/^sbx-.*-web-\S+ running$/)]);
    expect(await fetchText('/')).toBe('served-from-the-container\n');
  });

  it('logs: `sbx logs web` shows what the container printed (its user and working directory)', async () => {
    const logs = await eventually(async () => {
      const out = (await project.sbxOk(['logs', 'web'])).stdout;
      return out.includes('web started') ? out : null;
    }, { timeoutMs: 20_000, message: 'the container’s first line in sbx logs' });
    expect(logs).toContain('web started as root in /data');
  });

  it('exec through the CLI: stdout, stderr and the exit code of a command inside the container', async () => {
    expect(await project.sbx(['exec', 'web', '--', 'echo', 'hi'])).toEqual({ exitCode: 0, stdout: 'hi', stderr: '' });
    const failing = await project.sbx(['exec', 'web', '--', 'sh', '-c', 'echo "$GREETING"; echo to-stderr >&2; exit 3']);
    expect(failing).toEqual({ exitCode: 3, stdout: 'hello-inside', stderr: 'to-stderr' });
    const json = await project.sbxOk(['exec', '--json', 'web', '--', 'cat', '/tmp/www/index.html']);
    expect(JSON.parse(json.stdout)).toEqual({ stdout: 'served-from-the-container\n', stderr: '', exit_code: 0, timed_out: false });
  });

  it('exec through the API: POST /v1/services/web/exec answers stdout, stderr and exit_code; argv is never a shell line', async () => {
    const client = await project.client();
    expect(await client.execService('web', ['sh', '-c', 'pwd; echo err >&2; exit 7'], { timeout_secs: 30 })).toEqual({
      stdout: '/data\n',
      stderr: 'err\n',
      exit_code: 7,
      timed_out: false,
    });
    expect(await client.execService('web', ['echo', '$(id)', ';', 'ls'])).toMatchObject({ stdout: '$(id) ; ls\n', exit_code: 0 });
    expect(await client.execService('web', ['sleep', '30'], { timeout_secs: 1 })).toMatchObject({ exit_code: null, timed_out: true });
  });

  it('exec into a stopped container unit is a 409 naming the unit', async () => {
    await project.sbxOk(['stop', 'web']);
    expect(project.containers()).toEqual([]);
    expect(await accepts(port)).toBe(false);
    const client = await project.client();
    const error = await client.execService('web', ['echo', 'hi']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, message: expect.stringContaining('web is not running') });
    await project.sbxOk(['start', 'web']);
    expect((await project.units()).web?.phase).toBe('ready');
  });

  it('down: no container of the project is left, a leftover that no unit owns included', async () => {
    // A container that carries the project's label but belongs to no run (as after a crash mid-start).
    podman.podman(['run', '--detach', '--rm', `--label=${project.label}`, '--label=sbx.unit=web', '--label=sbx.run=orphan', '--network=host', '--', TEST_IMAGE, 'sleep', '600']);
    expect(project.containers()).toHaveLength(2);
    const down = await project.sbxOk(['down']);
    expect(down.stdout).toContain('web: stopped');
    expect(project.containers()).toEqual([]);
    expect(await accepts(port)).toBe(false);
  });
});
