// A second runner instance (a restarted daemon) re-attaches by (pid, start time) and can stop what the first started.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessIdentity } from '../../src/runtime/process-runner.js';
import { LinuxProcessRunner } from '../../src/runtime/linux-process-runner.js';
import { censusPids, killCensus, newCensusValue } from './census.js';
import { RunnerHarness, fixture } from './runner-harness.js';

describe.each([{ mode: 'auto' as const }, { mode: 'off' as const }])('LinuxProcessRunner.adopt (cgroups: $mode)', ({ mode }) => {
  let census: string;
  let harness: RunnerHarness;
  const daemons: ChildProcess[] = [];

  beforeEach(() => {
    census = newCensusValue();
    harness = new RunnerHarness(census);
  });

  afterEach(() => {
    for (const daemon of daemons.splice(0)) if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    const leftovers = killCensus(census);
    harness.dispose();
    expect(leftovers, 'processes left behind by the test').toBe(0);
  });

  it('adopts from a second instance, which then stops everything', async () => {
    const first = new LinuxProcessRunner({ cgroups: mode });
    const run = await harness.start(first, harness.request('tree', ['/bin/sh', fixture('process-tree.sh')]));
    await harness.ready('tree');

    const second = new LinuxProcessRunner({ cgroups: mode });
    const adopted = second.adopt(run.identity);
    expect(adopted).not.toBeNull();
    expect(adopted!.identity).toEqual(run.identity);
    expect((await second.members(run.identity)).sort()).toEqual(censusPids(census).sort());

    const outcome = await second.stop(run.identity, 5000);
    expect(outcome.escalated).toBe(false);
    expect(censusPids(census)).toEqual([]);
    await expect(adopted!.exited).resolves.toEqual({ code: null, signal: null, known: false });
    await expect(run.exited).resolves.toMatchObject({ known: true });
    expect(second.adopt(run.identity)).toBeNull();
  });

  it('keeps units running when the daemon is killed with SIGKILL; a new instance adopts and stops them', async () => {
    const module = fileURLToPath(new URL('../../dist/runtime/linux-process-runner.js', import.meta.url));
    const request = { ...harness.request('tree', ['/bin/sh', fixture('process-tree.sh')]), cgroups: mode };
    const args = [fixture('runner-daemon.mjs'), module, JSON.stringify(request), join(harness.dir, 'tree.log')];
    const daemon = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    daemons.push(daemon);
    const daemonGone = new Promise((resolve) => daemon.once('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      daemon.stdout.setEncoding('utf8');
      daemon.stdout.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
      });
      daemon.once('exit', (code) => reject(new Error(`daemon exited early (${code})`)));
    });
    const identity = JSON.parse(line) as ProcessIdentity;
    expect(censusPids(census)).toHaveLength(4);

    daemon.kill('SIGKILL');
    await daemonGone;
    expect(censusPids(census)).toHaveLength(4);

    const restarted = new LinuxProcessRunner({ cgroups: mode });
    const adopted = restarted.adopt(identity);
    expect(adopted).not.toBeNull();
    await restarted.stop(identity, 5000);
    expect(censusPids(census)).toEqual([]);
    await expect(adopted!.exited).resolves.toEqual({ code: null, signal: null, known: false });
  });

  it('notices an adopted leader exiting on its own (polling /proc)', async () => {
    const first = new LinuxProcessRunner({ cgroups: mode });
    const run = await harness.start(first, harness.request('leader', ['/bin/sh', '-c', 'echo ready > "$READY_FILE"; exec sleep 100000']));
    await harness.ready('leader');
    const adopted = new LinuxProcessRunner({ cgroups: mode }).adopt(run.identity);
    expect(adopted).not.toBeNull();
    process.kill(run.identity.pid, 'SIGTERM');
    await expect(adopted!.exited).resolves.toEqual({ code: null, signal: null, known: false });
    await first.stop(run.identity, 1000);
  });

  it('refuses a wrong start time (pid reuse) and a pid that is gone', async () => {
    const first = new LinuxProcessRunner({ cgroups: mode });
    const run = await harness.start(first, harness.request('short', ['/bin/sh', '-c', 'echo ready > "$READY_FILE"; exec sleep 100000']));
    await harness.ready('short');
    const second = new LinuxProcessRunner({ cgroups: mode });
    expect(second.adopt({ ...run.identity, startTime: run.identity.startTime + 1 })).toBeNull();
    expect(second.adopt({ ...run.identity, startTime: 0 })).toBeNull();

    await first.stop(run.identity, 2000);
    expect(second.adopt(run.identity)).toBeNull();
  });
});
