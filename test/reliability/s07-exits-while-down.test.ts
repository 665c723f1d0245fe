// S7 Exits while the daemon is down (reliability-anchors.md §2.B). 50 units; kill the daemon; while it is down
// `kill -9` 3 units (restart_policy always, on-failure, never) and let 1 unit (on-failure) `exit 0`; restart it.
// Pass: all 4 exits detected within 2 s of the restart; the status shows the real exit code if sbx keeps one,
// otherwise `unknown`, never `running`; the restarts follow each unit's restart_policy; the other 46 identities are
// unchanged. sbx keeps no exit code for a run that ended while no daemon watched (no per-unit shim): it reports the
// exit as unknown and counts it as a failure (so on-failure restarts it). Scaled: nothing.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { UnitStatusView } from '../../src/daemon/api-types.js';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, identityOf, RelProject } from './harness/rel-project.js';

const UNITS = 50;
const UP = ['installing', 'starting', 'running', 'ready', 'stopping'];

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const unit = (name: string, policy: string, args: string[]): string =>
  `  ${name}: { cmd: /bin/sh, args: [${[fixture('recorded.sh'), ...args].join(', ')}], env: { UNIT: ${name} }, restart_policy: ${policy}, restart_delay_ms: 200 }`;

describe('S7 exits while the daemon is down', () => {
  it('detects 4 exits within 2 s of the restart, reports them unknown (never running), follows each policy', async () => {
    project = await RelProject.create('s07');
    execFileSync('mkfifo', [project.path('records/e1.go')]);
    const idle = Array.from({ length: UNITS - 4 }, (_, i) => unit(`u${String(i).padStart(2, '0')}`, 'always', ['sleep', '"100000"']));
    await project.manifest([
      'services:',
      unit('k1', 'always', ['sleep', '"100000"']),
      unit('k2', 'on-failure', ['sleep', '"100000"']),
      unit('k3', 'never', ['sleep', '"100000"']),
      unit('e1', 'on-failure', ['/bin/sh', fixture('exit-on-fifo.sh')]),
      ...idle,
    ]);
    await project.sbxOk(['apply', '--timeout', '300s'], { timeoutMs: 320_000 });
    const client = await project.client();
    const pids = Object.fromEntries((await client.status()).units.map((u) => [u.name, u.pid!]));
    const before = Object.fromEntries(await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await identityOf(pid)] as const)));

    await project.killDaemon();
    for (const name of ['k1', 'k2', 'k3']) process.kill(pids[name]!, 'SIGKILL');
    writeFileSync(project.path('records/e1.go'), 'go\n');
    await eventually(async () => (await Promise.all(['k1', 'k2', 'k3', 'e1'].map((n) => identityOf(pids[n]!)))).every((id) => id === null), {
      timeoutMs: 10_000,
      message: 'the 4 units ended',
    });

    await project.client();
    const answeredAt = performance.now();
    const seen = new Map<string, UnitStatusView>();
    let sawRunning = false;
    await eventually(
      async () => {
        for (const u of (await client.status()).units) {
          if (!['k1', 'k2', 'k3', 'e1'].includes(u.name) || seen.has(u.name)) continue;
          const sameRun = u.pid === pids[u.name];
          if (sameRun && UP.includes(u.phase)) sawRunning = true;
          if (!sameRun || !UP.includes(u.phase)) seen.set(u.name, u);
        }
        return seen.size === 4;
      },
      { timeoutMs: 20_000, intervalMs: 10, message: 'all 4 exits detected' },
    );
    const detectedMs = performance.now() - answeredAt;

    // Then each policy plays out: always and on-failure (unknown exit = failure) restart; never stays down.
    const settled = await eventually(
      async () => {
        const units = Object.fromEntries((await client.status()).units.map((u) => [u.name, u]));
        const restarted = ['k1', 'k2', 'e1'].every((n) => units[n]?.phase === 'ready' && units[n]?.pid !== pids[n]);
        return restarted && !UP.includes(units.k3?.phase ?? '') ? units : null;
      },
      { timeoutMs: 30_000, message: 'restart policies applied' },
    );
    // A run is "ready" once spawned (no health check); its start record follows a moment later.
    const expected = { k1: 2, k2: 2, k3: 1, e1: 2 };
    const countStarts = async () => Object.fromEntries(await Promise.all(['k1', 'k2', 'k3', 'e1'].map(async (n) => [n, (await project!.recordLines(`${n}.starts`)).length] as const)));
    const starts = await eventually(async () => {
      const counts = await countStarts();
      return JSON.stringify(counts) === JSON.stringify(expected) ? counts : null;
    }, { timeoutMs: 10_000, message: 'start records' }).catch(() => null) ?? (await countStarts());
    const others = Object.keys(before).filter((n) => !['k1', 'k2', 'k3', 'e1'].includes(n));
    const unchanged = (await Promise.all(others.map(async (n) => (await identityOf(pids[n]!)) === before[n]))).filter(Boolean).length;
    const k3 = settled!.k3!;
    figure(
      `S7 exits while down: 4/4 exits detected ${Math.round(detectedMs)} ms after the new daemon answered; reported exit ` +
        `${['k1', 'k2', 'k3', 'e1'].map((n) => `${n}=${seen.get(n)?.exit_code ?? 'unknown'}`).join(' ')}, running-while-dead ${sawRunning ? 'SEEN' : 'never'}; ` +
        `starts k1=${starts.k1} k2=${starts.k2} k3=${starts.k3} e1=${starts.e1} (k3 ${k3.phase}); ${unchanged}/${others.length} other identities unchanged ` +
        `(pass: detected within 2 s, unknown or real code never running, policies followed, 46 unchanged)`,
    );
    expect(detectedMs).toBeLessThanOrEqual(2_000);
    expect(sawRunning).toBe(false);
    for (const n of ['k1', 'k2', 'k3', 'e1']) expect(seen.get(n)?.exit_code ?? null).toBeNull();
    expect(k3.last_error ?? '').toMatch(/unknown/);
    expect(starts).toEqual(expected);
    expect(unchanged).toBe(others.length);
  }, 600_000);
});
