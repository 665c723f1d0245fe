// exec into a running container unit against a real podman: argv verbatim, stdout/stderr/exit code, the unit's user,
// working directory and environment, a hard timeout that kills what the exec started, and clear errors.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONTAINER_EXEC_OUTPUT_BYTES } from '../../src/runtime/container/container-driver.js';
import { ContainerError } from '../../src/runtime/container/container-error.js';
import { eventually } from '../helpers/eventually.js';
import { ContainerHarness, containerSpec, manifestVar, type StartedUnit } from './container-harness.js';
import { IMAGE_DATA_DIR } from './podman-fixture.js';

const h = new ContainerHarness();
let unit: StartedUnit;

beforeAll(async () => {
  await h.setup();
  const spec = containerSpec('target', ['sh', '-c', 'echo ready; exec sleep 600'], {
    cwd: IMAGE_DATA_DIR,
    user: 'nobody',
    env: { GREETING: manifestVar('hi from the unit') },
  });
  unit = await h.start(spec);
  await eventually(() => h.read(unit.stdout).includes('ready'), { message: 'the exec target to start' });
});
afterAll(async () => {
  await h.stop(unit, 1000);
  expect(await h.leftovers()).toEqual({ containers: [], pids: [] });
  h.dispose();
});

/** Processes in the container whose command line contains text (busybox ps, run through exec). */
const psLines = async (text: string): Promise<string[]> => {
  const result = await h.driver.exec(unit.launch.name, ['ps', '-o', 'pid,args'], 10_000);
  return result.stdout.split('\n').filter((line) => line.includes(text) && !line.includes('ps -o'));
};

describe('exec into a container unit', () => {
  it('answers stdout, stderr and the exit code', async () => {
    const result = await h.driver.exec(unit.launch.name, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 10_000);
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', exit_code: 3, timed_out: false });
  });

  it('passes the command as argv, never through a shell', async () => {
    const corpus = ['$(touch /tmp/pwned-exec)', '`touch /tmp/pwned-exec2`', ';', '&&', 'a\nb', '--privileged', '-v', '/:/host', '../', ''];
    const result = await h.driver.exec(unit.launch.name, ['printf', '%s|', ...corpus], 10_000);
    expect(result.stdout).toBe(corpus.map((arg) => `${arg}|`).join(''));
    expect((await h.driver.exec(unit.launch.name, ['ls', '/tmp'], 10_000)).stdout).not.toContain('pwned');
  });

  it('runs as the unit’s user, in its working directory, with its environment', async () => {
    const result = await h.driver.exec(unit.launch.name, ['sh', '-c', 'id -u; pwd; echo "$GREETING"'], 10_000);
    expect(result.stdout).toBe(`65534\n${IMAGE_DATA_DIR}\nhi from the unit\n`);
  });

  it('keeps a command’s own exit code 125 (the container is running)', async () => {
    expect((await h.driver.exec(unit.launch.name, ['sh', '-c', 'exit 125'], 10_000)).exit_code).toBe(125);
  });

  it('kills every process the exec started at the timeout and says it timed out', async () => {
    const started = Date.now();
    const result = await h.driver.exec(unit.launch.name, ['sh', '-c', 'echo started; sleep 37 & sleep 38'], 1000);
    expect(result.timed_out).toBe(true);
    expect(result.exit_code).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stdout).toBe('started\n');
    await eventually(async () => (await psLines('sleep 3')).length === 0, { message: 'the exec’s processes to be gone' });
  });

  it('stops an exec whose output passes the cap, inside the container too', async () => {
    const result = await h.driver.exec(unit.launch.name, ['sh', '-c', 'head -c 17000000 /dev/zero; exec sleep 39'], 60_000);
    expect(result.timed_out).toBe(false);
    expect(result.stdout.length).toBeLessThanOrEqual(MAX_CONTAINER_EXEC_OUTPUT_BYTES);
    await eventually(async () => (await psLines('sleep 39')).length === 0, { message: 'the exec’s processes to be gone' });
  });

  it('rejects an empty command', async () => {
    await expect(h.driver.exec(unit.launch.name, [], 10_000)).rejects.toMatchObject({ code: 'bad-spec' });
  });

  it('says the container is not running when it does not exist', async () => {
    const error = await h.driver.exec(h.driver.nameFor('target', 'r-gone'), ['true'], 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error).toMatchObject({ code: 'not-running' });
  });
});
