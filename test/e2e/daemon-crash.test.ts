// Must show (issue 4): `kill -9` of the daemon with 20 units running, then any CLI call: the same pids (and start
// times), nothing started twice, and the logs continue (no line lost while no daemon was reading).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/daemon/api-client.js';
import { eventually } from '../helpers/eventually.js';
import { E2eProject, isAlive, TICKER_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
afterEach(async () => {
  await project?.teardown();
  project = null;
});

const NAMES = Array.from({ length: 20 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);

const manifest = (recordDir: string): string =>
  `version: 1
name: crash
environment:
  RECORD_DIR: ${recordDir}
  TICK_S: "0.5"
services:
${NAMES.map((name) => `  ${name}:\n    cmd: /bin/sh\n    args: [${TICKER_FIXTURE}]\n    env: { UNIT_NAME: ${name} }\n    restart_policy: always\n`).join('')}`;

const ticks = async (p: E2eProject, unit: string): Promise<number> => Number((await readFile(join(p.recordDir, `${unit}.ticks`), 'utf8').catch(() => '')).trim() || 0);

describe('the daemon killed with SIGKILL', () => {
  it('a CLI call brings a daemon back that re-adopts all 20 units: same pids, nothing started twice, logs continue', async () => {
    project = await E2eProject.create('sbx-e2e-crash-');
    await project.write('sandbox.yaml', manifest(project.recordDir));
    expect((await project.sbxOk(['apply'])).stdout).toMatch(/20 units ready/);
    const before = await project.units();
    expect(Object.keys(before).sort()).toEqual(NAMES);

    const daemonPid = (await (await ApiClient.forStateDir(project.path('.sbx'))).health()).pid;
    process.kill(daemonPid, 'SIGKILL');
    await eventually(async () => !(await isAlive(daemonPid)), { message: 'the daemon to die' });
    const tickAtKill = await ticks(project, 'u01');
    // The units outlive the daemon and keep printing while nobody reads their output.
    await eventually(async () => (await ticks(project!, 'u01')) >= tickAtKill + 2, { message: 'u01 to keep ticking without a daemon' });

    const after = await project.units();
    const newDaemonPid = (await (await ApiClient.forStateDir(project.path('.sbx'))).health()).pid;
    expect(newDaemonPid).not.toBe(daemonPid);
    for (const name of NAMES) {
      expect(after[name], name).toMatchObject({ pid: before[name]!.pid, started_at: before[name]!.started_at, phase: 'ready', restart_count: 0 });
      expect(await isAlive(before[name]!.pid!), `${name} alive`).toBe(true);
      expect(await project.starts(name), `${name} started once`).toHaveLength(1);
    }

    // Logs: every tick is there, in order, including those printed while no daemon ran and after the new one adopted.
    const target = tickAtKill + 4;
    await eventually(async () => (await ticks(project!, 'u01')) >= target, { message: `u01 to reach tick ${target}` });
    const logs =
      (await eventually(
      async () => {
        const text = (await project!.sbxOk(['logs', 'u01'])).stdout;
        return text.includes(`tick ${target}\n`) ? text : null;
      },
      { timeoutMs: 20_000, message: `tick ${target} in sbx logs u01` },
      )) ?? '';
    const numbers = logs.split('\n').filter((line) => line.startsWith('tick ')).map((line) => Number(line.slice(5)));
    expect(numbers.slice(0, target)).toEqual(Array.from({ length: target }, (_, i) => i + 1));

    // And nothing to do for an apply of the same manifest.
    expect((await project.sbxOk(['apply'])).stdout).toMatch(/in sync/);
    for (const name of NAMES) expect(await project.starts(name)).toHaveLength(1);
  });

  it('`sbx down` right after the crash stops the units the dead daemon left running', async () => {
    project = await E2eProject.create('sbx-e2e-crash-down-');
    await project.write('sandbox.yaml', manifest(project.recordDir).split('\n  u04:')[0]!);
    expect((await project.sbxOk(['apply'])).stdout).toMatch(/3 units ready/);
    const pids = Object.values(await project.pids());
    const daemonPid = (await (await ApiClient.forStateDir(project.path('.sbx'))).health()).pid;
    process.kill(daemonPid, 'SIGKILL');
    await eventually(async () => !(await isAlive(daemonPid)), { message: 'the daemon to die' });

    const down = await project.sbxOk(['down']);
    expect(down.stdout).toMatch(/3 units stopped/);
    expect(await project.census()).toEqual([]);
    for (const pid of pids) expect(await isAlive(pid!)).toBe(false);
  });
});
