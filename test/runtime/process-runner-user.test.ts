// `user:` runs as that user with exactly its ids and groups and no capabilities; anything doubtful is refused.

import { execFile } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { LinuxProcessRunner } from '../../src/runtime/linux-process-runner.js';
import { SpawnError } from '../../src/runtime/process-runner.js';
import { censusPids, killCensus, newCensusValue } from './census.js';
import { RunnerHarness } from './runner-harness.js';

const statusField = (pid: number, field: string): string[] => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return line.slice(field.length + 1).trim().split(/\s+/).filter((v) => v !== '');
};

describe.each([{ mode: 'auto' as const }, { mode: 'off' as const }])('LinuxProcessRunner user switching (cgroups: $mode)', ({ mode }) => {
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

  it('runs `user: nobody` (as root) with every uid and gid 65534, only nobody\'s groups and no capabilities', async () => {
    expect(process.getuid?.()).toBe(0);
    chmodSync(harness.dir, 0o755);
    const run = await harness.start(runner, harness.request('as-nobody', ['sleep', '100000'], { user: 'nobody' }));
    const pid = run.identity.pid;
    // Ready once the exec chain (entry shell → setpriv → sleep) has reached the unit's own argv.
    await eventually(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u0000100000\u0000', { message: 'sleep to be exec\'d' });

    expect(statusField(pid, 'Uid')).toEqual(['65534', '65534', '65534', '65534']);
    expect(statusField(pid, 'Gid')).toEqual(['65534', '65534', '65534', '65534']);
    expect(statusField(pid, 'Groups')).toEqual(['65534']);
    for (const caps of ['CapEff', 'CapPrm', 'CapInh', 'CapAmb']) expect(statusField(pid, caps)).toEqual(['0000000000000000']);
    expect(censusPids(census)).toEqual([pid]);

    await runner.stop(run.identity, 2000);
    expect(censusPids(census)).toEqual([]);
  });

  it.each(['no-such-user-sbx', ' nobody', 'nobody ', '65534', '0day', ''])('refuses unknown user %j without starting anything', async (user) => {
    const error = await harness.start(runner, harness.request('bad-user', ['sleep', '100000'], { user })).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as SpawnError).code).toBe('unknown-user');
    expect((error as SpawnError).message).toContain(JSON.stringify(user));
    expect(censusPids(census)).toEqual([]);
  });
});

describe('LinuxProcessRunner without privilege', () => {
  it('gives a clear no-privilege error when a non-root sbx asks for another user', async () => {
    // Runs the compiled runner (dist/, built by the global setup) as nobody, asking for root.
    const module = fileURLToPath(new URL('../../dist/runtime/linux-process-runner.js', import.meta.url));
    const script = `
      const { LinuxProcessRunner } = await import(${JSON.stringify(module)});
      const runner = new LinuxProcessRunner({ cgroups: 'off' });
      const request = { unit: 'u', runId: '1', argv: ['/bin/true'], cwd: '/', env: {}, user: 'root', stdio: { stdout: 1, stderr: 2 } };
      try { await runner.start(request); console.log('started'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`;
    const { stdout } = await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--input-type=module', '-e', script]);
    const result = JSON.parse(stdout) as { name: string; code: string; message: string };
    expect(result).toMatchObject({ name: 'SpawnError', code: 'no-privilege' });
    expect(result.message).toMatch(/user root needs root; sbx runs as uid 65534/);
  });
});
