// ensureDaemon with real daemon processes (the fake-engine fixture): start on demand, reuse, 10 racing callers end with
// one daemon, and after kill -9 the next call starts a daemon that adopts the saved state.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDaemon } from '../../src/daemon/ensure-daemon.js';
import { parseSavedState } from '../../src/state/saved-state.js';
import { fakeDaemonCommand, fixture, killAll, pidsWithArgs } from './helpers/processes.js';
import { cleanupTestDaemons, tempProject, waitFor } from './helpers/test-daemon.js';

const stateDirs: string[] = [];
afterEach(async () => {
  await killAll(stateDirs.splice(0));
  await cleanupTestDaemons();
});

const newStateDir = async (): Promise<string> => {
  const stateDir = join(await tempProject(), '.sbx');
  stateDirs.push(stateDir);
  return stateDir;
};

const ensure = (stateDir: string) => ensureDaemon({ stateDir, command: fakeDaemonCommand(stateDir), timeoutMs: 30_000 });

describe('ensureDaemon', () => {
  it('starts a daemon in the background when none answers, then reuses it', async () => {
    const stateDir = await newStateDir();
    const first = await (await ensure(stateDir)).health();
    expect(first.pid).not.toBe(process.pid);
    expect(existsSync(join(stateDir, 'daemon.log'))).toBe(true);
    const again = await (await ensure(stateDir)).health();
    expect(again.pid).toBe(first.pid);
  });

  it('10 concurrent calls start exactly one daemon', async () => {
    const stateDir = await newStateDir();
    const clients = await Promise.all(Array.from({ length: 10 }, () => ensure(stateDir)));
    const pids = new Set(await Promise.all(clients.map(async (c) => (await c.health()).pid)));
    expect(pids.size).toBe(1);
    const alive = await waitFor(async () => {
      const found = await pidsWithArgs(fixture('fake-daemon.mjs'), stateDir);
      return found.length === 1 ? found : null;
    }, 20_000);
    expect(alive).toEqual([...pids]);
  });

  it('after kill -9 of the daemon, the next call starts one that adopts the saved state', async () => {
    const stateDir = await newStateDir();
    const client = await ensure(stateDir);
    const oldDaemon = (await client.health()).pid;
    await client.startServer({ slug: 'web', start: 'sleep 100', port: 4300 });
    const ready = await waitFor(async () => {
      const s = await client.getServer('web');
      return s.status === 'ready' ? s : null;
    });
    await waitFor(async () => {
      const saved = parseSavedState(await readFile(join(stateDir, 'state.json'), 'utf8').catch(() => ''));
      return saved.ok && saved.value.observed.units['web']?.phase === 'ready';
    });
    process.kill(oldDaemon, 'SIGKILL');
    await waitFor(async () => (await pidsWithArgs(fixture('fake-daemon.mjs'), stateDir)).length === 0);

    const next = await ensure(stateDir);
    expect((await next.health()).pid).not.toBe(oldDaemon);
    expect(await next.getServer('web')).toMatchObject({ pid: ready.pid, status: 'ready', port: 4300 });
  });

  it('reports a daemon that exits at once, with the end of its log', async () => {
    const stateDir = await newStateDir();
    const failing = [process.execPath, '-e', 'console.error("boom: cannot start"); process.exit(3)'];
    await expect(ensureDaemon({ stateDir, command: failing, timeoutMs: 20_000 })).rejects.toMatchObject({
      code: 'daemon-start-failed',
      message: expect.stringContaining('boom: cannot start'),
    });
  });
});
