// S15 `needs` ordering under restart (reliability-anchors.md §2.D). A has a health check (503 for its first 1.5 s);
// B needs A with `restart: true`; C needs A and crashes (SIGKILL) while A is down (on-failure); D needs A and is killed
// too but has restart_policy never. Kill A (SIGKILL; restart_policy always).
// Pass: the event timestamps show B and C never started while A is unready; B restarts because A restarted; C's restart
// follows its own policy (after A is ready again); D stays down (its policy); a cycle is rejected by `sbx validate`.
// Scaled: nothing.

import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import { eventually } from '../helpers/eventually.js';
import { figure, freePort, RelProject } from './harness/rel-project.js';
import { fileURLToPath } from 'node:url';

const UNIT_FIXTURE = fileURLToPath(new URL('../fixtures/e2e/unit.mjs', import.meta.url));
const START_PHASES = ['installing', 'starting', 'running', 'ready'];

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

describe('S15 needs ordering under restart', () => {
  it('starts dependents only once A is ready again; each follows its own policy; validate rejects a cycle', async () => {
    project = await RelProject.create('s15');
    const port = await freePort();
    const sleeper = (name: string, extra: string) => `  ${name}: { cmd: sleep, args: ["100000"], ${extra} }`;
    await project.manifest([
      'services:',
      `  a: { cmd: node, args: [${UNIT_FIXTURE}], port: ${port}, env: { UNIT_NAME: a, HEALTH_DELAY_MS: "1500" }, health_check: { path: /health, interval_ms: 100, timeout_ms: 1000, delay_ms: 0 }, restart_policy: always, restart_delay_ms: 100 }`,
      sleeper('b', 'needs: [{ name: a, restart: true }], restart_policy: never'),
      sleeper('c', 'needs: [a], restart_policy: on-failure, restart_delay_ms: 100'),
      sleeper('d', 'needs: [a], restart_policy: never'),
    ]);
    await project.sbxOk(['apply', '--timeout', '60s']);
    const client = await project.client();
    const pids = Object.fromEntries((await client.status()).units.map((u) => [u.name, u.pid!]));
    const events: EngineEvent[] = [];
    const stream = await client.events();
    const reading = (async () => {
      for await (const event of stream) events.push(event);
    })().catch(() => undefined);

    const killedAt = Date.now();
    process.kill(pids.a!, 'SIGKILL');
    process.kill(pids.c!, 'SIGKILL');
    process.kill(pids.d!, 'SIGKILL');
    const final = await eventually(
      async () => {
        const units = Object.fromEntries((await client.status()).units.map((u) => [u.name, u]));
        const back = ['a', 'b', 'c'].every((n) => units[n]?.phase === 'ready' && units[n]?.pid !== pids[n]);
        return back && ['stopped', 'failed'].includes(units.d?.phase ?? '') ? units : null;
      },
      { timeoutMs: 30_000, message: 'a, b, c back; d down' },
    );
    stream.close();
    await reading;

    const phases = events.filter((e): e is Extract<EngineEvent, { type: 'unit-phase' }> => e.type === 'unit-phase' && e.at >= killedAt - 5);
    const aReady = phases.find((e) => e.unit === 'a' && e.phase === 'ready');
    const early = phases.filter((e) => (e.unit === 'b' || e.unit === 'c' || e.unit === 'd') && START_PHASES.includes(e.phase) && (!aReady || e.at < aReady.at));
    const started = (name: string) => phases.filter((e) => e.unit === name && e.phase === 'starting').map((e) => e.at - killedAt);

    await project.write('cycle.yaml', 'version: 1\nservices:\n  x: { cmd: sleep, args: ["1"], needs: [y] }\n  y: { cmd: sleep, args: ["1"], needs: [x] }\n');
    const validate = await project.sbx(['validate', 'cycle.yaml']);

    figure(
      `S15 needs under restart: a ready again ${aReady ? aReady.at - killedAt : 'never'} ms after the kill; dependents started before that: ${early.length}; ` +
        `b started at +${started('b').join(',')} ms, c at +${started('c').join(',')} ms, d ${final!.d!.phase}; cycle: validate exit ${validate.exitCode} ` +
        `(pass: 0 dependents started while a unready, each by its own policy, cycle rejected)`,
    );
    expect(aReady).toBeDefined();
    expect(early).toEqual([]);
    expect(started('b').length).toBeGreaterThanOrEqual(1);
    expect(started('c').length).toBeGreaterThanOrEqual(1);
    expect(started('d')).toEqual([]);
    expect(validate.exitCode).not.toBe(0);
    expect(`${validate.stdout}${validate.stderr}`).toMatch(/x -> y -> x|y -> x -> y/);
  }, 120_000);
});
