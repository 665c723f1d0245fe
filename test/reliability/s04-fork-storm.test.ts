// S4 Fork storm (reliability-anchors.md §2.A; torvalds/linux test_cgkill_forkbomb: a group kill must win against
// fork). The unit runs `while :; do sleep 1e5 & done`, here with SIGTERM ignored by the loop and every child, so the
// stop has to escalate to KILL while the loop is still forking.
// Pass: 0 survivors 2 s after `stop`. The limit half (the host's task count rises by at most a pids limit of 200)
// does not apply: sbx offers no resource limits (README, Guarantees), so the raw storm is measured: it runs until it
// has 2,000 processes, then `sbx stop` ends it.

import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, RelProject } from './harness/rel-project.js';

const STORM = 2_000;
const STOP_TIMEOUT_MS = 1_000;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

describe('S4 fork storm', () => {
  it(`a TERM-ignoring fork storm of ${STORM}+ processes: 0 survivors 2 s after stop`, async () => {
    project = await RelProject.create('s04');
    await project.manifest(['services:', `  storm: { cmd: /bin/sh, args: [${fixture('fork-storm.sh')}], stop_timeout_ms: ${STOP_TIMEOUT_MS} }`]);
    await project.sbxOk(['apply']);
    const peak = await eventually(
      () => {
        const count = project!.censusPids().length;
        return count >= STORM ? count : null;
      },
      { timeoutMs: 60_000, intervalMs: 50, message: `the storm at ${STORM} processes` },
    );

    const stopped = await project.sbx(['stop', 'storm'], { timeoutMs: 60_000 });
    const stopMs = stopped.ms;
    const rightAfter = project.censusPids().length;
    const left = await eventually(() => project!.censusPids().length === 0, { timeoutMs: 2_000, intervalMs: 20, message: 'no survivor 2 s after stop' }).then(
      () => 0,
      () => project!.censusPids().length,
    );
    const unit = (await (await project.client()).getUnit('storm')).phase;

    figure(
      `S4 fork storm: ${peak} processes when stopped; sbx stop took ${Math.round(stopMs)} ms (stop_timeout_ms ${STOP_TIMEOUT_MS}, then KILL); ${left} survivors 2 s after it returned (${rightAfter} right after); ` +
        `unit ${unit} (pass: 0 survivors 2 s after stop; no pids limit: sbx has none)`,
    );
    expect(stopped.exitCode).toBe(0);
    expect(left).toBe(0);
    expect(unit).toBe('stopped');
  }, 180_000);
});
