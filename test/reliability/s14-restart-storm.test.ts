// S14 Restart storm cost (reliability-anchors.md §2.D). 100 units crash-loop (exit 1 at once, restart_policy always,
// restart_delay_ms 1000 doubling to the 30 s cap, max_restarts 0). Pass: the daemon uses at most 10% of one core on
// average; RSS grows by ≤ 10 MiB; its fd count drifts by ≤ 5; API p99 < 100 ms; spawns are jittered: no more than 20
// in any 10 ms bucket (restarts only; the initial start of 100 units is one apply).
// Scaled: 60 s instead of 10 min (the per-second bounds are the same; by 60 s every unit has walked the delays
// 1, 2, 4, 8, 16 s and reached the 30 s cap, so the steady state of the storm is covered).

import { readdir, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, percentile, RelProject } from './harness/rel-project.js';

const UNITS = 100;
const WINDOW_MS = 60_000;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const cpuTicks = async (pid: number): Promise<number> => {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const rssKiB = async (pid: number): Promise<number> => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const fdCount = async (pid: number): Promise<number> => (await readdir(`/proc/${pid}/fd`)).length;

describe('S14 restart storm cost', () => {
  it(`${UNITS} crash-looping units for ${WINDOW_MS / 1000} s: daemon CPU ≤ 10%, RSS +≤ 10 MiB, fds ±5, API p99 < 100 ms, ≤ 20 spawns per 10 ms`, async () => {
    project = await RelProject.create('s14');
    const names = Array.from({ length: UNITS }, (_, i) => `c${String(i).padStart(3, '0')}`);
    await project.manifest(['services:', ...names.map((n) => `  ${n}: { cmd: /bin/sh, args: [${fixture('crash-now.sh')}], env: { UNIT: ${n} }, restart_policy: always }`)]);
    await project.sbx(['apply', '--timeout', '2s'], { timeoutMs: 120_000 });
    const client = await project.client();
    const pid = await project.daemonPid();
    await eventually(async () => (await Promise.all(names.map((n) => project!.recordLines(`${n}.starts`)))).every((l) => l.length >= 1), { timeoutMs: 60_000, message: 'every unit started once' });

    const hz = 100; // USER_HZ on Linux
    const t0 = performance.now();
    const cpu0 = await cpuTicks(pid);
    const rss0 = await rssKiB(pid);
    const fd0 = await fdCount(pid);
    const latencies: number[] = [];
    let rssMax = rss0;
    while (performance.now() - t0 < WINDOW_MS) {
      const began = performance.now();
      await client.status();
      latencies.push(performance.now() - began);
      rssMax = Math.max(rssMax, await rssKiB(pid));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = ((await cpuTicks(pid)) - cpu0) / hz / seconds;
    const rss1 = await rssKiB(pid);
    const fd1 = await fdCount(pid);

    const restarts = (await Promise.all(names.map(async (n) => (await project!.recordLines(`${n}.starts`)).slice(1).map((l) => Number(l.split(' ')[1])))))
      .flat();
    const buckets = new Map<number, number>();
    for (const at of restarts) buckets.set(Math.floor(at / 10), (buckets.get(Math.floor(at / 10)) ?? 0) + 1);
    const busiest = Math.max(0, ...buckets.values());
    const p99 = percentile(latencies, 99);
    figure(
      `S14 restart storm (${UNITS} units, ${Math.round(seconds)} s, ${restarts.length} restarts): daemon CPU ${(cpu * 100).toFixed(1)}% of a core, RSS ${(rss0 / 1024).toFixed(1)} -> ${(rss1 / 1024).toFixed(1)} MiB ` +
        `(max ${(rssMax / 1024).toFixed(1)}), fds ${fd0} -> ${fd1}, API p99 ${Math.round(p99)} ms over ${latencies.length} calls, busiest 10 ms bucket ${busiest} spawns ` +
        `(pass: CPU <= 10%, RSS +<= 10 MiB, fds +-5, p99 < 100 ms, <= 20 per 10 ms)`,
    );
    expect(restarts.length).toBeGreaterThanOrEqual(UNITS * 4);
    expect(cpu).toBeLessThanOrEqual(0.1);
    expect(rss1 - rss0).toBeLessThanOrEqual(10 * 1024);
    expect(Math.abs(fd1 - fd0)).toBeLessThanOrEqual(5);
    expect(p99).toBeLessThan(100);
    expect(busiest).toBeLessThanOrEqual(20);
  }, 300_000);
});
