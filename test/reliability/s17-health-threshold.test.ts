// S17 Threshold and state semantics (reliability-anchors.md §2.E; moby#28400). sbx's documented rule
// (src/runtime/health-state.ts): one success makes a unit healthy; a healthy unit stays `healthy` (its consecutive
// failures counted and shown) until 3 consecutive failures, then turns `unhealthy`; a ready unit that turns unhealthy
// is restarted by its restart policy (liveness), once.
// Pass: 2 failures then a success: 0 restarts, never unhealthy, then healthy with 0 failures. 3 consecutive failures:
// exactly one action (one `unhealthy`, one restart). delay_ms respected: no probe before delay_ms after the start.
// Scaled: nothing (interval 200 ms keeps it short).

import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, freePort, RelProject } from './harness/rel-project.js';

const DELAY_MS = 1_500;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

describe('S17 health threshold and state semantics', () => {
  it('2 failures: no action; 3 failures: exactly one unhealthy and one restart; no probe before delay_ms', async () => {
    project = await RelProject.create('s17');
    const port = await freePort();
    await project.manifest([
      'services:',
      `  flaky: { cmd: node, args: [${fixture('flaky-health.mjs')}], port: ${port}, env: { UNIT: flaky }, restart_policy: always, restart_delay_ms: 100, ` +
        `health_check: { path: /health, interval_ms: 200, timeout_ms: 500, delay_ms: ${DELAY_MS} } }`,
    ]);
    await project.sbxOk(['apply']);
    const client = await project.client();
    const first = await client.getUnit('flaky');
    const probes = async () => (await project!.recordLines('flaky.probes')).map((l) => l.split(' ')).map(([at, result, pid]) => ({ at: Number(at), result: result!, pid: Number(pid) }));
    const firstProbeAfterStart = (await probes())[0]!.at - first.started_at!;

    const events: EngineEvent[] = [];
    const stream = await client.events();
    const reading = (async () => {
      for await (const event of stream) events.push(event);
    })().catch(() => undefined);

    // Two failures, then a success.
    const mark = (await probes()).length;
    let worst = 'healthy';
    let maxFailures = 0;
    process.kill(first.pid!, 'SIGUSR1');
    await eventually(async () => {
      const view = await client.getUnit('flaky');
      if (view.health_status && view.health_status !== 'healthy') worst = view.health_status;
      const after = (await probes()).slice(mark);
      maxFailures = Math.max(maxFailures, after.filter((p) => p.result === 'fail').length);
      return after.filter((p) => p.result === 'fail').length === 2 && after.at(-1)?.result === 'ok' && view.health_status === 'healthy';
    }, { timeoutMs: 10_000, intervalMs: 30, message: '2 failures then a success' });
    const afterTwo = await client.getUnit('flaky');

    // Three consecutive failures.
    process.kill(first.pid!, 'SIGUSR2');
    await eventually(async () => {
      const unit = await client.getUnit('flaky');
      return unit.pid !== first.pid && unit.phase === 'ready' ? unit : null;
    }, { timeoutMs: 20_000, message: 'restarted and ready again' });
    // Let a few more probes pass: nothing else may happen.
    const settledMark = (await probes()).length;
    await eventually(async () => (await probes()).length >= settledMark + 10, { timeoutMs: 10_000, message: '10 more probes' });
    const afterThree = await client.getUnit('flaky');
    stream.close();
    await reading;

    const unhealthy = events.filter((e) => e.type === 'unit-health' && e.health.status === 'unhealthy').length;
    const exits = events.filter((e) => e.type === 'unit-exited').length;
    figure(
      `S17 health threshold: first probe ${firstProbeAfterStart} ms after start (delay_ms ${DELAY_MS}); 2 failures -> restarts ${afterTwo.restart_count - first.restart_count}, worst status ${worst}, ` +
        `then ${afterTwo.health_status}; 3 failures -> ${unhealthy} unhealthy event(s), ${exits} exit(s), restarts ${afterThree.restart_count - afterTwo.restart_count} ` +
        `(pass: delay respected, 2 -> no action, 3 -> exactly one action)`,
    );
    expect(firstProbeAfterStart).toBeGreaterThanOrEqual(DELAY_MS);
    expect(afterTwo.restart_count).toBe(first.restart_count);
    expect(afterTwo.pid).toBe(first.pid);
    expect(worst).toBe('healthy');
    expect(afterTwo.health_status).toBe('healthy');
    expect(unhealthy).toBe(1);
    expect(exits).toBe(1);
    expect(afterThree.restart_count).toBe(first.restart_count + 1);
  }, 120_000);
});
