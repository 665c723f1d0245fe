// S5 Zombie reaping (reliability-anchors.md §2.A; libuv uv__wait_children, kubernetes#81042). A unit double-forks
// short-lived grandchildren; meanwhile the daemon itself spawns and reaps: a unit crash-loops (every restart is a new
// child of the daemon) and `exec` runs commands through the API (children of the daemon too).
// Pass: in 100 ms samples, zombies whose parent is the daemon or one of its helpers (any process carrying this
// project's unit tag) stay <= 5 and are 0 at the end; once the storm is over the unit is back to its one process.
// Scaled: 3,000 grandchildren as fast as the shell forks (a few seconds) instead of 10,000 over 60 s; the bound is
// per sample, so rate matters more than length. The PID-1 variant does not apply: the daemon is never PID 1 and is no
// subreaper, so orphans go to the machine's init, not to sbx (README, Guarantees).

import { readdir, readFile } from 'node:fs/promises';
import { setInterval } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, RelProject } from './harness/rel-project.js';

const GRANDCHILDREN = 3_000;
const EXECS = 20;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

/** Every process as (pid, ppid, state), from /proc/PID/stat. */
const processTable = async (): Promise<{ pid: number; ppid: number; zombie: boolean }[]> => {
  const rows = await Promise.all(
    (await readdir('/proc'))
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        if (stat === '') return null;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return { pid: Number(entry), ppid: Number(fields[1]), zombie: fields[0] === 'Z' };
      }),
  );
  return rows.filter((row) => row !== null);
};

describe('S5 zombie reaping', () => {
  it(`${GRANDCHILDREN} double-forked grandchildren, a crash loop and ${EXECS} execs: <= 5 zombies of sbx at any sample, 0 at the end`, async () => {
    project = await RelProject.create('s05');
    await project.manifest([
      'services:',
      `  storm: { cmd: /bin/sh, args: [${fixture('double-fork-storm.sh')}], env: { UNIT: storm, COUNT: "${GRANDCHILDREN}" } }`,
      `  crashy: { cmd: /bin/sh, args: [${fixture('crash-now.sh')}], env: { UNIT: crashy }, restart_policy: always, restart_delay_ms: 100 }`,
      '  idle: { cmd: sleep, args: ["100000"] }',
    ]);
    await project.sbx(['apply', '--timeout', '2s'], { timeoutMs: 60_000 });
    const client = await project.client();
    const daemon = await project.daemonPid();

    // Parents that count: the daemon, and the unit processes sbx started (census), which must reap their own children
    // (the unit's shell does; a grandchild orphaned by the double fork is init's).
    let maxZombies = 0;
    let samples = 0;
    const ourZombies = async (): Promise<number> => {
      const parents = new Set([daemon, ...project!.censusPids()]);
      return (await processTable()).filter((p) => p.zombie && parents.has(p.ppid)).length;
    };
    let sampling = true;
    const sampler = (async () => {
      for await (const _ of setInterval(100)) {
        if (!sampling) break;
        maxZombies = Math.max(maxZombies, await ourZombies());
        samples++;
      }
    })();
    const execs = (async () => {
      for (let i = 0; i < EXECS; i++) expect((await client.execService('idle', ['/bin/sh', '-c', 'echo $0', String(i)])).exit_code).toBe(0);
    })();
    const made = await eventually(async () => Number(await readFile(project!.path('records/storm.done'), 'utf8').catch(() => '0')) || null, {
      timeoutMs: 120_000,
      message: 'the storm done',
    });
    await execs;
    const crashes = (await project.recordLines('crashy.starts')).length;
    // The storm's unit is back to its one process (its grandchildren were short-lived and never its children).
    const stormPid = (await client.getUnit('storm')).pid;
    await eventually(async () => (await processTable()).filter((p) => p.ppid === stormPid).length === 0, { timeoutMs: 10_000, message: 'storm has no children' });
    sampling = false;
    await sampler;
    const atEnd = await eventually(async () => (await ourZombies()) === 0, { timeoutMs: 5_000, message: 'no zombie of sbx at the end' }).then(
      () => 0,
      () => ourZombies(),
    );

    figure(
      `S5 zombie reaping: ${made} double-forked grandchildren, ${crashes} crash-loop spawns, ${EXECS} execs; zombies of the daemon or its units max ${maxZombies} over ${samples} samples, ` +
        `${atEnd} at the end (pass: <= 5 per sample, 0 at the end)`,
    );
    expect(made).toBe(GRANDCHILDREN);
    expect(crashes).toBeGreaterThanOrEqual(3);
    expect(samples).toBeGreaterThanOrEqual(10);
    expect(maxZombies).toBeLessThanOrEqual(5);
    expect(atEnd).toBe(0);
  }, 180_000);
});
