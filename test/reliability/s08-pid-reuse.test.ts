// S8 PID-reuse safety (reliability-anchors.md §2.B; skarnet s6: pid files "may kill the wrong process").
// Record unit pid P, kill the daemon, kill the unit; start an unrelated process that gets pid P (here in the root pid
// namespace: write P-1 to /proc/sys/kernel/ns_last_pid and spawn, retried until the pid matches); restart the daemon
// and run `sbx down`. Pass: the unrelated process survives and receives 0 signals; the unit is reported as exited.
// "0 signals" is checked by the process itself (it traps and logs every catchable signal; it must still be alive and
// not stopped, which rules out SIGKILL and SIGSTOP) instead of `strace -e kill` on the daemon. Scaled: nothing.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, identityOf, RelProject } from './harness/rel-project.js';

let project: RelProject | null = null;
let stranger: ChildProcess | null = null;
afterEach(async () => {
  stranger?.kill('SIGKILL');
  stranger = null;
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

/** Spawns the signal recorder so that it gets pid `pid` (retrying when another process on the machine takes it first). */
const spawnWithPid = async (pid: number, log: string): Promise<{ child: ChildProcess; attempts: number }> => {
  for (let attempt = 1; attempt <= 200; attempt++) {
    await writeFile('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const child = spawn('/bin/bash', [fixture('signal-recorder.sh')], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SIGNAL_LOG: log }, stdio: 'ignore', detached: true });
    if (child.pid === pid) return { child, attempts: attempt };
    child.kill('SIGKILL');
  }
  throw new Error(`could not get pid ${pid} in 200 attempts`);
};

describe('S8 PID-reuse safety', () => {
  it('never signals an unrelated process that reuses a dead unit’s pid, and reports the unit as exited', async () => {
    project = await RelProject.create('s08');
    await project.manifest(['services:', '  victim: { cmd: sleep, args: ["100000"], restart_policy: never }']);
    await project.sbxOk(['apply']);
    const client = await project.client();
    const pid = (await client.getUnit('victim')).pid!;
    const identity = await identityOf(pid);

    await project.killDaemon();
    process.kill(pid, 'SIGKILL');
    // The orphaned unit is reaped by init; then its pid is free for reuse.
    await eventually(async () => (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)) === null, { timeoutMs: 10_000, message: `pid ${pid} free` });
    const log = project.path('records/stranger.signals');
    const spawned = await spawnWithPid(pid, log);
    stranger = spawned.child;
    await eventually(async () => (await readFile(`${log}.ready`, 'utf8').catch(() => '')) !== '', { timeoutMs: 10_000, message: 'stranger ready' });
    const strangerIdentity = await identityOf(pid);
    expect(strangerIdentity).not.toBe(identity);

    const next = await project.client();
    const victim = await eventually(async () => {
      const unit = await next.getUnit('victim');
      return ['installing', 'starting', 'running', 'ready', 'stopping'].includes(unit.phase) ? null : unit;
    }, { timeoutMs: 10_000, message: 'victim reported as exited' });
    const down = await project.sbx(['down']);
    const signals = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const state = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.[0] ?? 'gone';
    const alive = (await identityOf(pid)) === strangerIdentity;
    figure(
      `S8 pid reuse: unrelated process got pid ${pid} (attempt ${spawned.attempts}); after restart + down it is ${alive ? `alive (state ${state})` : 'GONE'} and got ` +
        `${signals.length} signals${signals.length ? ` (${signals.join(',')})` : ''}; the unit was reported ${victim!.phase} (${victim!.last_error}) (pass: survives, 0 signals, unit exited)`,
    );
    expect(down.exitCode).toBe(0);
    expect(alive).toBe(true);
    expect(state).not.toBe('T');
    expect(signals).toEqual([]);
    expect(victim!.pid === pid && victim!.phase === 'ready').toBe(false);
  }, 300_000);
});
