// S6 `kill -9` the daemon with 50 units running (reliability-anchors.md §2.B; supervisord#199, pm2#723).
// Record every unit's identity (pid, start time), SIGKILL the daemon, keep it down 10 s, start it again.
// Pass: 50/50 units stay alive during the outage; after the restart the same 50 identities are reported within 2 s;
// 0 new execs of unit commands; 0 EADDRINUSE; 0 duplicates per unit.
// Exec tracing: bpftrace/strace -f on unit execs is not available to the test, so each unit appends a line to its
// own start record on every exec (fixtures/recorded.sh); a re-exec would add a line. Scaled: nothing. The 2 s are
// counted from the moment the new daemon answers (its own Node start-up on this loaded 2-core machine is printed
// apart, from the spawn).

import { setInterval } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, freePort, identityOf, RelProject } from './harness/rel-project.js';

const UNITS = 50;
const PORT_UNITS = 5;
const OUTAGE_MS = 10_000;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const identities = async (pids: Record<string, number | null>): Promise<Record<string, string | null>> =>
  Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, pid === null ? null : await identityOf(pid)] as const)));

describe('S6 kill -9 the daemon with 50 units running', () => {
  it('keeps all 50 running through a 10 s outage and re-adopts the same identities, nothing started twice', async () => {
    project = await RelProject.create('s06');
    const lines = ['services:'];
    for (let i = 0; i < UNITS; i++) {
      const name = `u${String(i).padStart(2, '0')}`;
      if (i < PORT_UNITS) {
        const port = await freePort();
        lines.push(`  ${name}: { cmd: /bin/sh, args: [${fixture('recorded.sh')}, node, ${fixture('listen.mjs')}], port: ${port}, strict_port: true, env: { UNIT: ${name} }, health_check: { path: /, interval_ms: 200, timeout_ms: 1000, delay_ms: 0 }, restart_policy: always }`);
      } else lines.push(`  ${name}: { cmd: /bin/sh, args: [${fixture('recorded.sh')}, sleep, "100000"], env: { UNIT: ${name} }, restart_policy: always }`);
    }
    await project.manifest(lines);
    await project.sbxOk(['apply', '--timeout', '300s'], { timeoutMs: 320_000 });
    const client = await project.client();
    const before = await identities(Object.fromEntries((await client.status()).units.map((u) => [u.name, u.pid])));
    expect(Object.values(before).filter((id) => id !== null)).toHaveLength(UNITS);

    await project.killDaemon();
    // The outage: watch every unit's identity for 10 s (a check every 100 ms, not a sleep).
    const outageEnds = Date.now() + OUTAGE_MS;
    let lostDuringOutage = 0;
    for await (const _ of setInterval(100)) {
      if (Date.now() >= outageEnds) break;
      const now = await identities(Object.fromEntries(Object.entries(before).map(([name, id]) => [name, Number(id!.split(':')[0])])));
      lostDuringOutage = Math.max(lostDuringOutage, Object.entries(now).filter(([name, id]) => id !== before[name]).length);
    }

    const spawnedAt = performance.now();
    const next = await project.client();
    const answeredAt = performance.now();
    const after = await eventually(
      async () => {
        const units = (await next.status()).units;
        const ids = await identities(Object.fromEntries(units.map((u) => [u.name, u.pid])));
        return units.length === UNITS && Object.entries(before).every(([name, id]) => ids[name] === id) ? ids : null;
      },
      { timeoutMs: 30_000, intervalMs: 20, message: 'the same 50 identities reported' },
    );
    const reportedAt = performance.now();
    const starts = await Promise.all(Object.keys(before).map((name) => project!.recordLines(`${name}.starts`)));
    const reExecs = starts.reduce((sum, lines) => sum + lines.length - 1, 0);
    const bindErrors = await project.recordLines('bind-errors');
    const census = project.censusPids().length;
    figure(
      `S6 daemon kill -9: ${UNITS - lostDuringOutage}/${UNITS} alive through a ${OUTAGE_MS / 1000} s outage; same ${Object.keys(after ?? {}).length} identities reported ` +
        `${Math.round(reportedAt - answeredAt)} ms after the new daemon answered (${Math.round(reportedAt - spawnedAt)} ms after its spawn); ` +
        `${reExecs} new execs, ${bindErrors.length} EADDRINUSE, ${census - UNITS} duplicates (pass: 50/50, same identities within 2 s, 0 execs, 0 EADDRINUSE, 0 duplicates)`,
    );
    expect(lostDuringOutage).toBe(0);
    expect(after).toEqual(before);
    expect(reportedAt - answeredAt).toBeLessThanOrEqual(2_000);
    expect(reExecs).toBe(0);
    expect(bindErrors).toEqual([]);
    expect(census).toBe(UNITS);
  }, 600_000);
});
