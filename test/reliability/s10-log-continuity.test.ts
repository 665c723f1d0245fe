// S10 Log continuity across a daemon restart (reliability-anchors.md §2.B; s6-svscan, the docker live-restore FIFO).
// The unit writes one sequence number per millisecond; the daemon is SIGKILLed for 10 s, then started again.
// Pass: 0 gaps (and 0 duplicates, in order) in the stored log; the unit's write() latency stays under 100 ms.
// How sbx meets it: the unit writes into a named pipe whose read end sbx reopens after a restart (src/runtime/
// fifo-capture.ts); while no daemon reads, the kernel's 64 KiB pipe buffer holds the output. S10's unit writes about
// 6 bytes a millisecond, 60 KB in 10 s, which fits; a unit that writes more than 64 KiB while no daemon runs blocks in
// write() until the next daemon reads (lines are delayed, never lost; README, Guarantees).
// The outage is measured in the unit's own progress (10,000 lines written since the kill, about 10 s), not by a sleep.

import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, readUnitLog, RelProject } from './harness/rel-project.js';

const OUTAGE_LINES = 10_000;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

type Progress = { written: number; maxWriteMs: number };

describe('S10 log continuity across a daemon restart', () => {
  it('a unit writing a line per ms through a 10 s daemon outage: 0 gaps, 0 duplicates, write() < 100 ms', async () => {
    project = await RelProject.create('s10');
    await project.manifest(['services:', `  seq: { cmd: node, args: [${fixture('seq-writer.mjs')}], env: { UNIT: seq } }`]);
    await project.sbxOk(['apply']);
    const progress = async (): Promise<Progress | null> => JSON.parse(await readFile(project!.path('records/seq.progress'), 'utf8').catch(() => 'null')) as Progress | null;
    await eventually(async () => ((await progress())?.written ?? 0) >= 1_000, { timeoutMs: 30_000, message: 'the unit writing' });
    const unitPid = (await (await project.client()).getUnit('seq')).pid;

    const killedAt = performance.now();
    await project.killDaemon();
    const atKill = (await progress())!.written;
    await eventually(async () => ((await progress())?.written ?? 0) >= atKill + OUTAGE_LINES, { timeoutMs: 60_000, message: `${OUTAGE_LINES} lines written with no daemon` });
    const outageMs = performance.now() - killedAt;

    const client = await project.client();
    expect((await client.getUnit('seq')).pid).toBe(unitPid);
    const atRestart = (await progress())!.written;
    await eventually(async () => ((await progress())?.written ?? 0) >= atRestart + 1_000, { timeoutMs: 30_000, message: 'writing on after the restart' });
    process.kill(unitPid!, 'SIGUSR2');
    const stats = await eventually(async () => JSON.parse(await readFile(project!.path('records/seq.stats'), 'utf8').catch(() => 'null')) as Progress | null, {
      timeoutMs: 10_000,
      message: 'final stats',
    });
    const lines = await eventually(
      async () => {
        const stored = await readUnitLog(project!.path('.sbx/logs/seq'), 'stdout');
        return stored.at(-1)?.text === String(stats!.written - 1) ? stored : null;
      },
      { timeoutMs: 30_000, message: 'the last line stored' },
    );

    let gaps = 0;
    let duplicates = 0;
    let other = 0;
    let expected = 0;
    for (const line of lines!) {
      const n = Number(line.text);
      if (!/^\d+$/.test(line.text)) other++;
      else if (n === expected) expected++;
      else if (n < expected) duplicates++;
      else {
        gaps += n - expected;
        expected = n + 1;
      }
    }
    figure(
      `S10 log continuity: ${stats!.written} lines, daemon down ${(outageMs / 1000).toFixed(1)} s while the unit wrote ${atRestart - atKill}; stored ${lines!.length}, ` +
        `gaps ${gaps}, duplicates ${duplicates}, other lines ${other}; unit's max write() ${stats!.maxWriteMs.toFixed(1)} ms; same unit pid after the restart ` +
        `(pass: 0 gaps, write() < 100 ms)`,
    );
    expect(lines!.length).toBe(stats!.written);
    expect(gaps).toBe(0);
    expect(duplicates).toBe(0);
    expect(other).toBe(0);
    expect(stats!.maxWriteMs).toBeLessThan(100);
  }, 180_000);
});
