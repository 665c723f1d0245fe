// Must show (issue 4): on a fresh clone, `npm ci && npx sbx apply` brings the root sandbox.yaml up, `npx sbx status`
// shows every unit ready, `npx sbx down` leaves no process behind; and the README says exactly this.
// Clones the committed HEAD of this repository and installs it from scratch (slow: one test, generous timeout).

import { mkdtemp, readFile, readlink, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, pidsWithEnv, TAG_VARIABLE, type StatusJson } from './helpers/e2e-project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Pids of live processes whose working directory is inside `dir`. */
const pidsWithCwdUnder = async (dir: string): Promise<number[]> => {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
  }
  return pids;
};

let workDir: string | null = null;
let tag = '';
afterEach(async () => {
  if (!workDir) return;
  const clone = join(workDir, 'sbx');
  // Whatever the test did, leave nothing running: down (if it can), then kill what is left.
  await execa('npx', ['sbx', 'down'], { cwd: clone, env: cleanEnv(), extendEnv: false, reject: false, timeout: 60_000 });
  for (const pid of new Set([...(await pidsWithEnv(TAG_VARIABLE, tag)), ...(await pidsWithCwdUnder(clone))])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await rm(workDir, { recursive: true, force: true });
  workDir = null;
});

/** The CLI environment without the npm settings of the npm process that runs this suite. */
const cleanEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(cliEnv(tag)).filter(([key]) => !key.toLowerCase().startsWith('npm_') && key !== 'INIT_CWD'));

describe('a fresh clone', () => {
  it('npm ci && npx sbx apply brings the demo up; status shows every unit ready; down leaves no process', { timeout: 300_000 }, async () => {
    workDir = await mkdtemp(join(tmpdir(), 'sbx-e2e-clone-'));
    tag = `clone-${process.pid}-${workDir.slice(-6)}`;
    const clone = join(workDir, 'sbx');
    const run = (file: string, args: string[], timeout = 60_000) =>
      execa(file, args, { cwd: clone, env: cleanEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout });

    const cloned = await execa('git', ['clone', '--quiet', REPO, clone], { reject: false });
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    const readme = await readFile(join(clone, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npx sbx apply');
    expect(readme).toContain('npx sbx status');
    expect(readme).toContain('npx sbx down');

    const installed = await run('npm', ['ci'], 240_000);
    expect(installed.exitCode, `${installed.stdout}\n${installed.stderr}`).toBe(0);

    const applied = await run('npx', ['sbx', 'apply']);
    expect(applied.exitCode, `${applied.stdout}\n${applied.stderr}`).toBe(0);

    const statusCall = await run('npx', ['sbx', 'status', '--json']);
    expect(statusCall.exitCode, statusCall.stderr).toBe(0);
    const status = JSON.parse(statusCall.stdout) as StatusJson;
    expect(status.units.map((u) => u.name).sort()).toEqual(['api', 'web']);
    for (const unit of status.units) expect(unit, unit.name).toMatchObject({ phase: 'ready', healthy: true });
    for (const overlay of status.overlays) expect(overlay.status, overlay.name).toBe('complete');
    // The demo works: web answers /api/hello through the api.
    const web = status.units.find((u) => u.name === 'web')!;
    const hello = (await (await fetch(`http://127.0.0.1:${web.port}/api/hello`)).json()) as { message: string };
    expect(hello.message).toBe('hello, world from the api');

    const running = await pidsWithEnv(TAG_VARIABLE, tag);
    expect(running.length).toBeGreaterThanOrEqual(3); // the daemon, api and web

    const down = await run('npx', ['sbx', 'down']);
    expect(down.exitCode, `${down.stdout}\n${down.stderr}`).toBe(0);
    // down returns once the units and the daemon are gone: nothing is left, right away.
    expect(await pidsWithEnv(TAG_VARIABLE, tag)).toEqual([]);
    expect(await pidsWithCwdUnder(clone)).toEqual([]);
  });
});
