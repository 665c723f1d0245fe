// S12 Backoff schedule and reset (reliability-anchors.md §2.D; moby restartmanager, KEP-4603, pm2 docs).
// A unit that exits 1 at once, restart_delay_ms = 1000, factor 2, 30 s cap: 12 starts. Variants crash after 65 s and
// after 30 s of uptime with a 60 s reset window. Pass: each delay within ±10% of 1, 2, 4, 8, 16, 30, 30 s, none below
// the floor; after 65 s up the next delay is the initial one, after 30 s it keeps growing.
// Scaled: the full schedule (about 4.5 minutes of delays, plus the 65 s and 30 s uptimes) runs on the engine with a
// ManualClock (the real planner, supervisor and restart policy on the runtime fakes). A real-time check then runs the
// same loop through the daemon with restart_delay_ms = 250 (250, 500, 1000, 2000 ms): each measured gap between two
// starts is at least the delay (the floor) and at most delay + 10% + 300 ms (exit detection and a shell's start-up
// on this loaded 2-core machine).

import { afterEach, describe, expect, it } from 'vitest';
import { RESTART_DELAY_CAP_MS, STABLE_PERIOD_MS } from '../../src/engine/restart-policy.js';
import { engineHarness } from '../../src/engine/testing/engine-harness.js';
import { desiredState, unitSpec } from '../../src/engine/testing/spec-builder.js';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, RelProject } from './harness/rel-project.js';

const EXPECTED_S = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30];

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

/** An engine with one crash-looping unit; crash(uptimeMs) lets it run that long, kills it with exit 1, and returns the backoff it got. */
const crashLoop = async () => {
  const h = engineHarness();
  await h.engine.apply(desiredState([unitSpec('loop', { restart_policy: 'always', max_restarts: 0, restart_delay_ms: 1000 })]), { prune: true });
  await h.settle();
  const crash = async (uptimeMs = 0): Promise<number> => {
    h.clock.advance(uptimeMs);
    await h.settle();
    h.runner.exit('loop', 1);
    await h.settle();
    const unit = h.unit('loop');
    expect(unit.phase).toBe('backoff');
    const delay = unit.backoff_until! - h.clock.now();
    // Nothing starts a millisecond early; it starts once the delay is over.
    h.clock.advance(delay - 1);
    await h.settle();
    expect(h.unit('loop').phase).toBe('backoff');
    h.clock.advance(1);
    await h.settle();
    expect(['running', 'ready']).toContain(h.unit('loop').phase);
    return delay;
  };
  return { h, crash };
};

const within = (actual: number, expected: number): boolean => actual >= expected && actual <= expected * 1.1;

describe('S12 backoff schedule and reset', () => {
  it('engine (ManualClock): 12 starts at 1, 2, 4, 8, 16, 30, 30 … s (+0..10%); reset after 65 s up, growth after 30 s up', async () => {
    expect(RESTART_DELAY_CAP_MS).toBe(30_000);
    expect(STABLE_PERIOD_MS).toBe(60_000);
    const { h, crash } = await crashLoop();
    const delays: number[] = [];
    for (let i = 0; i < EXPECTED_S.length; i++) delays.push(await crash());
    expect(h.startedUnits()).toHaveLength(12);

    const reset = await crashLoop();
    for (let i = 0; i < 3; i++) await reset.crash();
    const after65 = await reset.crash(65_000);
    const grow = await crashLoop();
    const growing: number[] = [];
    for (let i = 0; i < 3; i++) growing.push(await grow.crash());
    const after30 = await grow.crash(30_000);

    figure(
      `S12 backoff (engine, ManualClock): delays ${delays.map((d) => (d / 1000).toFixed(2)).join(', ')} s over 12 starts; after 65 s up ${(after65 / 1000).toFixed(2)} s, ` +
        `after 30 s up ${(after30 / 1000).toFixed(2)} s (pass: within +-10% of 1,2,4,8,16,30,30 s, none below; reset to 1 s after 65 s, growing after 30 s)`,
    );
    delays.forEach((d, i) => expect(within(d, EXPECTED_S[i]! * 1000), `delay ${i + 1}: ${d} ms`).toBe(true));
    expect(within(after65, 1000)).toBe(true);
    expect(within(after30, 8000)).toBe(true);
    expect(growing.map((d) => Math.round(d / 1000))).toEqual([1, 2, 4]);
  });

  it('real time through the daemon: gaps between starts follow 250, 500, 1000, 2000 ms', async () => {
    project = await RelProject.create('s12');
    await project.manifest(['services:', `  loop: { cmd: /bin/sh, args: [${fixture('crash-now.sh')}], env: { UNIT: loop }, restart_policy: always, restart_delay_ms: 250 }`]);
    await project.sbx(['apply', '--timeout', '5s']);
    const lines = await eventually(async () => {
      const starts = await project!.recordLines('loop.starts');
      return starts.length >= 5 ? starts : null;
    }, { timeoutMs: 30_000, message: '5 starts' });
    await project.sbxOk(['stop', 'loop']);
    const times = lines!.slice(0, 5).map((line) => Number(line.split(' ')[1]));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const expected = [250, 500, 1000, 2000];
    figure(`S12 backoff (real time): gaps between starts ${gaps.join(', ')} ms for delays ${expected.join(', ')} ms (pass: >= delay, <= delay + 10% + 300 ms start-up)`);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i]!);
      expect(gap).toBeLessThanOrEqual(expected[i]! * 1.1 + 300);
    });
  }, 120_000);
});
