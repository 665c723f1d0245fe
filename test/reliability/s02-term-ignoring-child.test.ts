// S2 TERM-ignoring child whose leader exits on TERM (reliability-anchors.md §2.A; process-compose#520 reproduced).
// The leader runs `trap 'exit 0' TERM`, its child `trap '' TERM; sleep`; stop_timeout_ms = 2000.
// Pass: 0 survivors within 3 s; the daemon's log shows the KILL escalation; `stop` does not report success while any
// member lives (the census is 0 the moment the stop call returns, and it cannot return before the 2 s grace).
// Scaled: nothing; repeated RUNS times.

import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, percentile, RelProject } from './harness/rel-project.js';

const STOP_TIMEOUT_MS = 2_000;
const RUNS = 5;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

describe('S2 TERM-ignoring child whose leader exits on TERM', () => {
  it('escalates to KILL, leaves 0 survivors within 3 s, and stop returns only when none is left', async () => {
    project = await RelProject.create('s02');
    await project.manifest(['services:', `  leader: { cmd: /bin/sh, args: [${fixture('term-exit-leader.sh')}], env: { UNIT: leader }, stop_timeout_ms: ${STOP_TIMEOUT_MS} }`]);
    const stops: number[] = [];
    const leftAtReturn: number[] = [];
    await project.sbxOk(['apply']);
    const client = await project.client();
    for (let run = 0; run < RUNS; run++) {
      if (run > 0) await client.startUnit('leader');
      await eventually(async () => (await readFile(project!.path('records/leader.ready'), 'utf8').catch(() => '')) !== '', { timeoutMs: 20_000, message: 'child ignoring TERM' });
      await project.write('records/leader.ready', '');
      expect(project.censusPids().length).toBe(2);
      const began = performance.now();
      await client.stopUnit('leader');
      stops.push(performance.now() - began);
      leftAtReturn.push(project.censusPids().length);
    }
    const log = await readFile(project.path('.sbx/daemon.log'), 'utf8');
    const escalations = log.split('\n').filter((line) => line.includes('stop escalated to SIGKILL')).length;
    figure(
      `S2 TERM-ignoring child: ${leftAtReturn.reduce((a, b) => a + b, 0)} survivors after ${RUNS} stops; stop took p50 ${Math.round(percentile(stops, 50))} ms, ` +
        `max ${Math.round(Math.max(...stops))} ms; ${escalations} KILL escalations logged (pass: 0 survivors within 3 s, escalation logged, no early success)`,
    );
    expect(leftAtReturn).toEqual(Array(RUNS).fill(0));
    expect(escalations).toBeGreaterThanOrEqual(RUNS);
    // The stop cannot finish before the grace period: the child only dies by KILL.
    for (const ms of stops) expect(ms).toBeGreaterThanOrEqual(STOP_TIMEOUT_MS);
    expect(Math.max(...stops)).toBeLessThanOrEqual(3_000);
  }, 300_000);
});
