// S13 Crash-loop give-up and visibility (reliability-anchors.md §2.D; systemd StartLimitBurst, s6-permafailon).
// max_restarts = 5. Pass: exactly 6 spawns; the state becomes `failed` with the last exit code, signal and reason in
// `status --json` and the API; 0 spawns in the next 10 min; an explicit `restart` clears the counter (6 spawns again);
// re-applying the unchanged manifest leaves a failed unit failed (sbx's documented rule: apply is idempotent and a
// gave-up unit needs `start`/`restart` or a changed spec). The supervisord#1285 shape: a crash after a healthy start
// still counts (max_restarts = 2: 3 spawns, then failed).
// Scaled: "0 spawns in the next 10 min" runs on the engine with a ManualClock (10 minutes advanced); through the real
// daemon the unit is then watched for 3 s. restart_delay_ms = 100 keeps the real loop short (100 … 1600 ms).

import { setInterval } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { UnitStatusView } from '../../src/daemon/api-types.js';
import { engineHarness } from '../../src/engine/testing/engine-harness.js';
import { desiredState, unitSpec } from '../../src/engine/testing/spec-builder.js';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, freePort, RelProject } from './harness/rel-project.js';

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const starts = async (name: string): Promise<number> => (await project!.recordLines(`${name}.starts`)).length;
const failed = (name: string) => async (): Promise<UnitStatusView | null> => {
  const unit = (await project!.client()).getUnit(name);
  const view = await unit;
  return view.phase === 'failed' ? view : null;
};

/** Watches the unit's start count for `ms` (an observation window) and returns how many more starts it saw. */
const spawnsDuring = async (name: string, ms: number): Promise<number> => {
  const first = await starts(name);
  const until = Date.now() + ms;
  let last = first;
  for await (const _ of setInterval(100)) {
    last = await starts(name);
    if (Date.now() >= until) break;
  }
  return last - first;
};

describe('S13 crash-loop give-up and visibility', () => {
  it('engine (ManualClock): 6 spawns, failed, then 0 spawns in the next 10 minutes', async () => {
    const h = engineHarness();
    await h.engine.apply(desiredState([unitSpec('loop', { restart_policy: 'always', max_restarts: 5, restart_delay_ms: 100 })]), { prune: true });
    await h.settle();
    for (let i = 0; i < 6; i++) {
      h.runner.exit('loop', 3);
      await h.settle();
      h.clock.advance(5_000);
      await h.settle();
    }
    const spawned = h.startedUnits().length;
    h.clock.advance(10 * 60_000);
    await h.settle();
    const later = h.startedUnits().length - spawned;
    figure(`S13 give-up (engine): ${spawned} spawns with max_restarts 5, phase ${h.unit('loop').phase}, ${later} spawns in the next 10 min (pass: 6, failed, 0)`);
    expect(spawned).toBe(6);
    expect(h.unit('loop')).toMatchObject({ phase: 'failed', last_exit: { code: 3, signal: null } });
    expect(later).toBe(0);
  });

  it('real daemon: 6 spawns, failed with code/signal/reason in status --json and the API; restart clears; apply leaves it failed', async () => {
    project = await RelProject.create('s13');
    const port = await freePort();
    await project.manifest([
      'services:',
      `  loop: { cmd: /bin/sh, args: [${fixture('crash-now.sh')}], env: { UNIT: loop, EXIT_CODE: "3" }, restart_policy: always, max_restarts: 5, restart_delay_ms: 100 }`,
      `  sig: { cmd: /bin/sh, args: [${fixture('self-kill.sh')}], env: { UNIT: sig }, restart_policy: on-failure, max_restarts: 5, restart_delay_ms: 100 }`,
      `  late: { cmd: node, args: [${fixture('healthy-then-crash.mjs')}], port: ${port}, env: { UNIT: late, CRASH_AFTER_MS: "800" }, health_check: { path: /, interval_ms: 100, timeout_ms: 1000, delay_ms: 0 }, restart_policy: always, max_restarts: 2, restart_delay_ms: 100 }`,
    ]);
    await project.sbx(['apply', '--timeout', '30s'], { timeoutMs: 60_000 });
    const loop = await eventually(failed('loop'), { timeoutMs: 30_000, message: 'loop failed' });
    const sig = await eventually(failed('sig'), { timeoutMs: 30_000, message: 'sig failed' });
    const late = await eventually(failed('late'), { timeoutMs: 60_000, message: 'late failed' });
    const spawns = { loop: await starts('loop'), sig: await starts('sig'), late: await starts('late') };
    const quiet = await spawnsDuring('loop', 3_000);

    const json = JSON.parse((await project.sbxOk(['status', '--json'])).stdout) as { units: UnitStatusView[] };
    const cliLoop = json.units.find((u) => u.name === 'loop')!;
    const cliSig = json.units.find((u) => u.name === 'sig')!;
    const api = await (await project.client()).getService('loop');

    // Exit 1 is documented for an apply that leaves a unit failed.
    const reapply = await project.sbx(['apply', '--timeout', '10s']);
    const afterApply = await spawnsDuring('loop', 1_000);
    const stillFailed = (await (await project.client()).getUnit('loop')).phase;

    await project.sbx(['restart', 'loop']);
    await eventually(failed('loop'), { timeoutMs: 30_000, message: 'loop failed again after restart' });
    const afterRestart = (await starts('loop')) - spawns.loop;

    figure(
      `S13 give-up (daemon): spawns loop=${spawns.loop} sig=${spawns.sig} late(healthy, then crash)=${spawns.late}; loop ${loop!.phase} exit_code=${cliLoop.exit_code} ` +
        `signal=${cliLoop.exit_signal}, sig exit_signal=${cliSig.exit_signal}; reason "${cliLoop.last_error}"; ${quiet} spawns in the next 3 s; ` +
        `unchanged apply: exit ${reapply.exitCode}, ${afterApply} spawns, still ${stillFailed}; restart: ${afterRestart} more spawns (pass: 6/6/3 spawns, failed with code+signal+reason, 0 after, restart clears)`,
    );
    expect(spawns).toEqual({ loop: 6, sig: 6, late: 3 });
    expect(loop!.phase).toBe('failed');
    expect(sig!.phase).toBe('failed');
    expect(late!.phase).toBe('failed');
    expect(cliLoop).toMatchObject({ phase: 'failed', exit_code: 3, exit_signal: null });
    expect(cliLoop.last_error).toMatch(/gave up after 5 restarts/);
    expect(cliSig, JSON.stringify(cliSig)).toMatchObject({ phase: 'failed', exit_code: null, exit_signal: 'SIGKILL' });
    expect(api).toMatchObject({ status: 'failed', exit_code: 3, exit_signal: null });
    expect(api.last_error).toMatch(/gave up/);
    expect(quiet).toBe(0);
    expect(reapply.exitCode).toBe(1);
    expect(afterApply).toBe(0);
    expect(stillFailed).toBe('failed');
    expect(afterRestart).toBe(6);
  }, 300_000);
});
