// S18 Exec-style checks (reliability-anchors.md §2.E; kubernetes#124226, olake-helm#176). sbx has no exec health
// checks; its exec path is `POST /v1/services/{name}/exec` (`sbx exec`) with `timeout_secs`. A command that runs
// `sleep 3600` (and leaves a plain, a setsid'd and a double-forked child) with a 1 s timeout, again and again.
// Pass: the command's whole process tree is gone 1.5 s after each timeout; 0 zombies left under the daemon; at most 1
// exec running at a time (the calls are sequential, the census checks it).
// Scaled: 20 execs (about 25 s) instead of one per second for 5 min.

import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, RelProject } from './harness/rel-project.js';

const RUNS = 20;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

/** Live processes whose environment has S18_EXEC (any value), by value. */
const execTrees = async (): Promise<Map<string, number>> => {
  const found = new Map<string, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    const mark = environ.split('\0').find((e) => e.startsWith('S18_EXEC='));
    if (mark) found.set(mark, (found.get(mark) ?? 0) + 1);
  }
  return found;
};

const zombiesOf = async (ppid: number): Promise<number> => {
  let count = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' && Number(fields[1]) === ppid) count++;
  }
  return count;
};

describe('S18 exec with a timeout', () => {
  it(`kills the whole tree of a timed-out exec within 1.5 s, ${RUNS} times, leaving no zombie`, async () => {
    project = await RelProject.create('s18');
    await project.manifest(['services:', '  svc: { cmd: sleep, args: ["100000"] }']);
    await project.sbxOk(['apply']);
    const client = await project.client();
    const daemon = await project.daemonPid();
    const goneAfterTimeout: number[] = [];
    let maxConcurrent = 0;
    let timedOut = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxConcurrent = Math.max(maxConcurrent, (await execTrees()).size);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const result = await client.execService('svc', ['/bin/sh', fixture('exec-tree.sh'), `r${run}`], { timeout_secs: 1 });
      const answered = performance.now();
      if (result.timed_out) timedOut++;
      // The answer comes once the daemon saw the tree gone: when the first scan after it finds nothing, the tree was
      // gone when the answer came (a later time would only measure this scan of /proc, slow on a busy machine).
      const gone = !(await execTrees()).has(`S18_EXEC=r${run}`)
        ? answered
        : await eventually(async () => !(await execTrees()).has(`S18_EXEC=r${run}`), { timeoutMs: 10_000, intervalMs: 20 }).then(() => performance.now(), () => Number.POSITIVE_INFINITY);
      goneAfterTimeout.push(gone - (started + 1000));
    }
    sampling = false;
    await sampler;
    const zombies = await zombiesOf(daemon);
    const worst = Math.max(...goneAfterTimeout);
    figure(
      `S18 exec timeout: ${timedOut}/${RUNS} execs timed out; tree gone at most ${Number.isFinite(worst) ? Math.round(worst) : 'NEVER'} ms after the 1 s timeout; ` +
        `${zombies} zombies under the daemon; at most ${maxConcurrent} exec tree(s) alive at once (pass: gone within 1500 ms, 0 zombies, <= 1 at a time)`,
    );
    expect(timedOut).toBe(RUNS);
    expect(worst).toBeLessThanOrEqual(1_500);
    expect(zombies).toBe(0);
    expect(maxConcurrent).toBe(1);
  }, 300_000);
});
