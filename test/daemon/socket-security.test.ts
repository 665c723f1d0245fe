// The socket is 0600 in a 0700 folder from its first instant, falls back to a short path past sun_path's limit,
// and one state folder has one daemon.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/daemon/api-client.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { FakeEngine } from '../../src/daemon/testing/fake-engine.js';
import { hostExecutor } from '../../src/daemon/host-exec.js';
import { SUN_PATH_MAX_BYTES } from '../../src/daemon/socket-path.js';
import { loadManifest, resolveUnitFromApi } from '../../src/manifest/load.js';
import { FakeLogStore } from '../../src/runtime/fakes/fake-log-store.js';
import { silentLogger } from '../../src/shared/logger.js';
import { fixture, killAll, spawnLines } from './helpers/processes.js';
import { cleanupTestDaemons, startTestDaemon, tempProject } from './helpers/test-daemon.js';

afterEach(async () => {
  await killAll();
  await cleanupTestDaemons();
});

const mode = async (path: string): Promise<number> => (await lstat(path)).mode & 0o777;

describe('permissions', () => {
  it('the socket is 0600 and the state folder 0700, both owned by the daemon’s user', async () => {
    const t = await startTestDaemon();
    const socket = await lstat(t.daemon.socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(await mode(t.stateDir)).toBe(0o700);
    expect(socket.uid).toBe(process.getuid?.());
  });

  it('tightens an existing state folder that is wider than 0700', async () => {
    const dir = await tempProject();
    await mkdir(join(dir, '.sbx'));
    await chmod(join(dir, '.sbx'), 0o755);
    const t = await startTestDaemon({ dir });
    expect(await mode(t.stateDir)).toBe(0o700);
  });

  it('a tight stat loop in another process never sees a wider mode across 20 daemon starts', async () => {
    const dir = await tempProject();
    const stop = join(dir, 'stop-watching');
    const watcher = spawnLines([process.execPath, fixture('mode-watcher.mjs'), join(dir, '.sbx', 'sbx.sock'), stop]);
    await watcher.line((l) => l === 'watching');
    for (let i = 0; i < 20; i++) {
      const t = await startTestDaemon({ dir });
      await t.client.health();
      await t.stop();
    }
    await writeFile(stop, '');
    const report = JSON.parse(await watcher.line((l) => l.startsWith('{'))) as { observations: number; socketModes: string[]; dirModes: string[] };
    expect(report.observations).toBeGreaterThan(0);
    expect(report.socketModes).toEqual(['600']);
    expect(report.dirModes).toEqual(['700']);
  });

  it('another user cannot connect', async () => {
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
    expect(setpriv, 'setpriv (util-linux) is needed for this test').toBeDefined();
    const t = await startTestDaemon();
    const probe = `require('net').connect(${JSON.stringify(t.daemon.socketPath)}).on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(0) })`;
    const run = spawnSync(setpriv as string, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('EACCES');
  });
});

describe('socket path', () => {
  it('falls back to a short path under /tmp/sbx-<uid> for a deep state folder, and clients find it', async () => {
    let dir = await tempProject();
    while (Buffer.byteLength(join(dir, '.sbx', 'sbx.sock')) <= SUN_PATH_MAX_BYTES + 20) dir = join(dir, 'a-rather-long-folder-name');
    await mkdir(dir, { recursive: true });
    const t = await startTestDaemon({ dir });
    const uid = process.getuid?.() ?? 0;
    expect(t.daemon.socketPath.startsWith(`/tmp/sbx-${uid}/`)).toBe(true);
    expect(Buffer.byteLength(t.daemon.socketPath)).toBeLessThanOrEqual(SUN_PATH_MAX_BYTES);
    expect((await readFile(join(t.stateDir, 'socket'), 'utf8')).trim()).toBe(t.daemon.socketPath);
    expect(await mode(`/tmp/sbx-${uid}`)).toBe(0o700);
    expect(await mode(t.daemon.socketPath)).toBe(0o600);
    const client = await ApiClient.forStateDir(t.stateDir);
    expect((await client.health()).state_dir).toBe(t.stateDir);
  });

  it('refuses to replace something that is not a socket at the socket path, and keeps it', async () => {
    const dir = await tempProject();
    await mkdir(join(dir, '.sbx'), { mode: 0o700 });
    await writeFile(join(dir, '.sbx', 'sbx.sock'), 'precious');
    await expect(startTestDaemon({ dir })).rejects.toThrow(/not a socket/);
    expect(await readFile(join(dir, '.sbx', 'sbx.sock'), 'utf8')).toBe('precious');
    await rm(join(dir, '.sbx', 'sbx.sock'));
    await expect(startTestDaemon({ dir })).resolves.toBeDefined();
  });
});

describe('one daemon per state folder', () => {
  it('a second daemon on the same folder reports the live holder and starts nothing', async () => {
    const t = await startTestDaemon();
    let built = false;
    const second = await startDaemon({ stateDir: t.stateDir, logger: silentLogger }, async () => {
      built = true;
      return { engine: new FakeEngine(), loadManifest, resolveUnit: resolveUnitFromApi, logs: new FakeLogStore(), executor: hostExecutor };
    });
    expect(second).toEqual({ started: false, holder: { pid: process.pid, start_time: expect.any(Number) } });
    expect(built).toBe(false);
    expect((await t.client.health()).pid).toBe(process.pid);
  });

  it('a lock left by a killed daemon is taken over', async () => {
    const dir = await tempProject();
    await mkdir(join(dir, '.sbx'), { mode: 0o700 });
    const dead = Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$" ; true'], { encoding: 'utf8' }).trim());
    await writeFile(join(dir, '.sbx', 'daemon.lock'), `${JSON.stringify({ pid: dead, start_time: 1 })}\n`);
    const t = await startTestDaemon({ dir });
    expect((await t.client.health()).pid).toBe(process.pid);
  });
});
