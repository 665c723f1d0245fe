// The real `sbx daemon` (dist/cli/bin.js, local engine, Linux runtime) started by ensureDaemon: apply, kill -9 the
// daemon, and the next daemon re-adopts the same processes (nothing started twice); shutdown stops every unit.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDaemon } from '../../src/daemon/ensure-daemon.js';
import { distDir, killAll, pidsWithArgs, spawnLines } from './helpers/processes.js';
import { cleanupTestDaemons, tempProject, waitFor } from './helpers/test-daemon.js';

const leftovers: number[] = [];
const unitArgs: string[] = [];
afterEach(async () => {
  for (const arg of unitArgs.splice(0)) leftovers.push(...(await pidsWithArgs('sleep', arg)));
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await killAll();
  await cleanupTestDaemons();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('sbx daemon (real engine)', () => {
  it('re-adopts the units of a daemon killed with SIGKILL: same pids, nothing started twice; shutdown stops them', async () => {
    const dir = await tempProject();
    // Unique sleep lengths, so the units' processes can be counted on this shared machine.
    const secs = ['db', 'web', 'worker'].map((_, i) => `${7000 + i}.${process.pid}${Math.floor(Math.random() * 1000)}`);
    unitArgs.push(...secs);
    const manifest = join(dir, 'sandbox.yaml');
    await writeFile(
      manifest,
      [
        'version: 1',
        'name: readopt',
        'services:',
        `  db: { cmd: sleep, args: ["${secs[0]}"] }`,
        `  web: { cmd: sleep, args: ["${secs[1]}"], needs: [db] }`,
        `  worker: { cmd: sleep, args: ["${secs[2]}"] }`,
        '',
      ].join('\n'),
    );
    const stateDir = join(dir, '.sbx');
    const client = await ensureDaemon({ stateDir, manifestPath: manifest, timeoutMs: 30_000 });
    const first = await client.health();
    leftovers.push(first.pid);
    expect(await client.applyAndWait({ timeout_ms: 20_000 })).toMatchObject({ ready: ['db', 'web', 'worker'], failed: [], timed_out: false });
    const before = Object.fromEntries((await client.status()).units.map((u) => [u.name, u.pid]));
    leftovers.push(...(Object.values(before) as number[]));
    expect(Object.values(before).every((pid) => typeof pid === 'number' && alive(pid))).toBe(true);

    process.kill(first.pid, 'SIGKILL');
    await waitFor(async () => !alive(first.pid));
    expect(Object.values(before).every((pid) => alive(pid as number))).toBe(true);

    const next = await ensureDaemon({ stateDir, manifestPath: manifest, timeoutMs: 30_000 });
    const second = await next.health();
    leftovers.push(second.pid);
    expect(second.pid).not.toBe(first.pid);
    const after = await waitFor(async () => {
      const units = (await next.status()).units;
      return units.every((u) => u.phase === 'ready') ? Object.fromEntries(units.map((u) => [u.name, u.pid])) : null;
    });
    expect(after).toEqual(before);
    expect((await next.applyAndWait({ timeout_ms: 20_000 })).ready).toEqual(['db', 'web', 'worker']);
    for (const s of secs) expect(await pidsWithArgs('sleep', s)).toHaveLength(1);

    expect(await next.shutdown({ stop_units: true })).toEqual({ stopping: true, stopped_units: ['db', 'web', 'worker'] });
    await waitFor(async () => Object.values(before).every((pid) => !alive(pid as number)) && !alive(second.pid), 20_000);
  });

  it('`sbx daemon` serves in the foreground, a second one exits saying who serves, and SIGINT closes it', async () => {
    const dir = await tempProject();
    const stateDir = join(dir, '.sbx');
    const bin = join(distDir, 'cli', 'bin.js');
    const daemon = spawnLines([process.execPath, bin, 'daemon', '--state-dir', stateDir]);
    const banner = await daemon.line((l) => l.startsWith('sbx daemon: serving'));
    expect(banner).toContain(join(stateDir, 'sbx.sock'));
    const client = await ensureDaemon({ stateDir, timeoutMs: 10_000 });
    expect((await client.health()).pid).toBe(daemon.child.pid);

    const second = spawnLines([process.execPath, bin, 'daemon', '--state-dir', stateDir]);
    expect(await second.exited).toBe(0);

    daemon.child.kill('SIGINT');
    expect(await daemon.exited).toBe(0);
    expect(existsSync(join(stateDir, 'sbx.sock'))).toBe(false);
    expect(existsSync(join(stateDir, 'daemon.lock'))).toBe(false);
  });
});
