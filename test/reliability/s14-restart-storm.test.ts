// S14 Restart storm cost (reliability-anchors.md §2.D). 100 units crash-loop (exit 1 at once, restart_policy always,
// restart_delay_ms 1000 doubling to the 30 s cap, max_restarts 0). Pass: the daemon uses at most 10% of one core on
// average; RSS grows by ≤ 10 MiB; its fd count drifts by ≤ 5; API p99 < 100 ms; spawns are spread out: no more than 20
// in any 10 ms bucket (restarts only; the initial start of 100 units is one apply).
//
// What "fd drift" measures: the daemon's fd count in the same state at the start and at the end of the storm. A unit's
// run legitimately holds fds while it lives (2 FIFO read ends, briefly the unit's 2 FIFO ends, the spawn's and an
// occasional mkfifo child's stdio, a cgroup.procs write), so the raw count swings by up to ~80 with how many of the
// 100 units happen to be starting or stopping at the sampling instant; comparing two arbitrary instants measures that,
// not a leak (the first version of this test compared the window's first sample, taken while every unit was in
// backoff, with its last, taken in the middle of a restart wave: 122 -> 188). So the count is compared only at
// *settled* samples: every unit is in backoff (no run alive, no launch or stop in flight) in the status read just
// before the fd count, and the status of the samples before and after it (250 ms apart) shows the same: every unit in
// backoff with the same restart count. The baseline is the first settled sample; the end is the first settled sample
// after the 60 s window (the test waits for it); at least UNITS restarts must lie between them. Pass: every settled
// sample is within ±5 of the baseline, and the daemon has no child process left (no unreaped zombie) at the final one. A
// leak of anything per run (a FIFO or log fd, a cgroup file, a socket) would grow the settled count by one per
// restart, i.e. by hundreds. The fds of the baseline and the end are counted by kind (readlink: pipe, socket, FIFO of
// a run, output.log, ...), shown when they differ. What a settled daemon holds: its own ~22 (event loop, listening
// socket, the test's API connection, daemon.log) and one output.log per unit that has logged (the unit's log writer
// stays open, bounded by the number of units). RSS growth is compared at the same two settled samples, for the same
// reason: mid-wave the heap holds the wave's garbage (tens of MiB until the next GC).
//
// Scaled: 10 minutes are measured as their two parts. A storm's first ~31 s are its ramp (delays 1, 2, 4, 8, 16 s,
// ~500 restarts, the busiest stretch), then it repeats a 30 s cycle (delay capped at 30 s, one restart per unit). The
// test measures the ramp whole and then STEADY_MS of the cycle (two whole periods), and states the 10-minute average as
// (ramp CPU + steady CPU rate x the rest of the 10 minutes) / 10 minutes; it asserts both that average and the steady
// rate itself against 10%. (The previous version averaged over the first 60 s alone: ramp plus one cycle, twice a
// 10-minute storm's restart rate, and it sat at 8-9% against 10%, too close to hold on a loaded CI machine.) The API
// latencies are taken over the whole run. RSS is compared at settled samples too, as the lowest settled RSS in the
// first 30 s of the steady window and in its last 30 s (with the settled samples after it): the lowest point of a
// period sits after V8's collections, so a leak shows as a rise between the two while the heap's own saw-tooth does
// not; the bound is the anchor's 10 MiB over one minute of storm, not over ten.

import { readdir, readFile, readlink } from 'node:fs/promises';
import { setInterval } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/daemon/api-client.js';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, percentile, RelProject } from './harness/rel-project.js';

const UNITS = 100;
/** The steady part measured after the ramp: two whole 30 s periods of the capped delay. */
const STEADY_MS = 60_000;
/** The anchor's storm length, for the average over it. */
const ANCHOR_SECONDS = 600;
/** Restarts after which a unit's delay is at the 30 s cap (1, 2, 4, 8, 16 s, then 30 s). */
const RAMP_RESTARTS = 5;
const SAMPLE_MS = 250;
/** How long after the steady window the test waits for a settled sample (the 30 s cap leaves ~20 s settled in every 30 s). */
const SETTLE_WAIT_MS = 60_000;

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
const children = async (pid: number): Promise<number> =>
  (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(' ').filter((p) => p.trim() !== '').length;

/** The kind of one fd target, e.g. `pipe`, `socket`, `fifo (run)`, `output.log`, `anon_inode:[eventpoll]`. */
const fdKind = (target: string): string => {
  if (target.startsWith('pipe:')) return 'pipe';
  if (target.startsWith('socket:')) return 'socket';
  if (target.startsWith('anon_inode:')) return target;
  if (/\/runs\/[^/]+\.(stdout|stderr)$/.test(target)) return 'fifo (run)';
  if (target.startsWith('/sys/fs/cgroup')) return 'cgroup file';
  const base = target.split('/').at(-1) ?? target;
  return /^state\.json\.tmp/.test(base) ? 'state.json.tmp' : base;
};

/** The daemon's open fds, counted by kind (a fd closed between readdir and readlink is skipped). */
const fdKinds = async (pid: number): Promise<Map<string, number>> => {
  const kinds = new Map<string, number>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
    if (target !== null) kinds.set(fdKind(target), (kinds.get(fdKind(target)) ?? 0) + 1);
  }
  return kinds;
};
const total = (kinds: Map<string, number>): number => [...kinds.values()].reduce((a, b) => a + b, 0);
const showKinds = (kinds: Map<string, number>): string => [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');

/** One 250 ms sample: the status (timed), whether every unit is in backoff, then the daemon's fds, children and RSS. */
interface Sample {
  at: number;
  latencyMs: number;
  /** Every unit in backoff: the restart counts (the same string at two samples = no run began in between). */
  backoff: string | null;
  restarts: number;
  /** The fewest restarts of any unit. */
  minRestarts: number;
  fds: Map<string, number>;
  /** The daemon's child processes (live or zombie). */
  children: number;
  rssKiB: number;
}

const takeSample = async (client: ApiClient, pid: number, t0: number): Promise<Sample> => {
  const began = performance.now();
  const status = await client.status();
  const latencyMs = performance.now() - began;
  const fds = await fdKinds(pid);
  const kids = await children(pid);
  const rss = await rssKiB(pid);
  const allBackoff = status.units.length === UNITS && status.units.every((u) => u.phase === 'backoff');
  return {
    at: began - t0,
    latencyMs,
    backoff: allBackoff ? status.units.map((u) => `${u.name}:${u.restart_count}`).join(',') : null,
    restarts: status.units.reduce((sum, u) => sum + u.restart_count, 0),
    minRestarts: Math.min(...status.units.map((u) => u.restart_count)),
    fds,
    children: kids,
    rssKiB: rss,
  };
};

/** Whether sample i is settled: it and both its neighbours show every unit in backoff, with the same restart counts. */
const settled = (samples: Sample[], i: number): boolean => {
  const [before, here, after] = [samples[i - 1], samples[i], samples[i + 1]];
  return here !== undefined && here.backoff !== null && before?.backoff === here.backoff && after?.backoff === here.backoff;
};

/** The lowest RSS among settled samples at indexes in [from, to). */
const lowestSettledRss = (samples: Sample[], from: (s: Sample) => boolean): number =>
  Math.min(...samples.map((_, i) => i).filter((i) => settled(samples, i) && from(samples[i]!)).map((i) => samples[i]!.rssKiB));

describe('S14 restart storm cost', () => {
  it(`${UNITS} crash-looping units, the ramp and ${STEADY_MS / 1000} s at the cap: daemon CPU ≤ 10% (10-minute average and steady), RSS +≤ 10 MiB, settled fds ±5, API p99 < 100 ms, ≤ 20 spawns per 10 ms`, async () => {
    project = await RelProject.create('s14');
    const names = Array.from({ length: UNITS }, (_, i) => `c${String(i).padStart(3, '0')}`);
    await project.manifest(['services:', ...names.map((n) => `  ${n}: { cmd: /bin/sh, args: [${fixture('crash-now.sh')}], env: { UNIT: ${n} }, restart_policy: always }`)]);
    const hz = 100; // USER_HZ on Linux
    await project.sbx(['apply', '--timeout', '2s'], { timeoutMs: 120_000 });
    const client = await project.client();
    const pid = await project.daemonPid();
    // The ramp is measured from the apply: the daemon's CPU since it started is nearly all the storm's (its own start-up
    // is counted too, which only makes the figure stricter).
    const t0 = performance.now();
    const started = Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19]) / hz;
    const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    const rampBegan = t0 - (uptime - started) * 1000;
    const samples: Sample[] = [];
    samples.push(await takeSample(client, pid, t0));
    let steadyAt: number | null = null;
    let cpuAtSteady = 0;
    for await (const _ of setInterval(SAMPLE_MS)) {
      const sample = await takeSample(client, pid, t0);
      samples.push(sample);
      if (steadyAt === null && sample.minRestarts >= RAMP_RESTARTS) {
        steadyAt = performance.now();
        cpuAtSteady = await cpuTicks(pid);
      }
      if (steadyAt !== null && performance.now() - steadyAt >= STEADY_MS) break;
      if (performance.now() - t0 > 120_000 && steadyAt === null) throw new Error(`the ramp did not end in 120 s (fewest restarts ${sample.minRestarts})`);
    }
    const steadyEnd = performance.now();
    const cpuAtEnd = await cpuTicks(pid);
    const rampSeconds = (steadyAt! - rampBegan) / 1000;
    const steadySeconds = (steadyEnd - steadyAt!) / 1000;
    const rampCpuSeconds = cpuAtSteady / hz;
    const steadyRate = (cpuAtEnd - cpuAtSteady) / hz / steadySeconds;
    const average = (rampCpuSeconds + steadyRate * Math.max(0, ANCHOR_SECONDS - rampSeconds)) / ANCHOR_SECONDS;
    const inWindow = samples.length;
    const latencies = samples.map((s) => s.latencyMs);
    const rssMax = Math.max(...samples.map((s) => s.rssKiB));

    // The end of the fd comparison: the first settled sample after the window (every unit in backoff for 3 samples).
    await eventually(
      async () => {
        samples.push(await takeSample(client, pid, t0));
        return samples.length - 2 >= inWindow && settled(samples, samples.length - 2);
      },
      { timeoutMs: SETTLE_WAIT_MS, intervalMs: SAMPLE_MS, message: 'a settled sample after the window (every unit in backoff, no restart between 3 samples)' },
    );
    const steadyFrom = steadyAt! - t0;
    const steadyTo = steadyEnd - t0;
    const settledAt = samples.map((_, i) => i).filter((i) => settled(samples, i) && samples[i]!.at >= steadyFrom);
    const first = samples[settledAt[0]!]!;
    const last = samples[settledAt.at(-1)!]!;
    const settledFds = settledAt.map((i) => total(samples[i]!.fds));
    const drift = Math.max(...settledFds.map((n) => Math.abs(n - total(first.fds))));
    const peak = Math.max(...samples.map((s) => total(s.fds)));
    const rssEarly = lowestSettledRss(samples, (s) => s.at >= steadyFrom && s.at < steadyFrom + 30_000);
    const rssLate = lowestSettledRss(samples, (s) => s.at >= steadyTo - 30_000);

    const restarts = (await Promise.all(names.map(async (n) => (await project!.recordLines(`${n}.starts`)).slice(1).map((l) => Number(l.split(' ')[1])))))
      .flat();
    const buckets = new Map<number, number>();
    for (const at of restarts) buckets.set(Math.floor(at / 10), (buckets.get(Math.floor(at / 10)) ?? 0) + 1);
    const busiest = Math.max(0, ...buckets.values());
    const p99 = percentile(latencies, 99);
    const kinds = showKinds(first.fds) === showKinds(last.fds) ? '' : ` [first: ${showKinds(first.fds)}; last: ${showKinds(last.fds)}]`;
    figure(
      `S14 restart storm (${UNITS} units, ${restarts.length} restarts): ramp ${rampSeconds.toFixed(0)} s used ${rampCpuSeconds.toFixed(2)} s of CPU, then ${steadySeconds.toFixed(0)} s at the cap ` +
        `${(steadyRate * 100).toFixed(1)}% of a core; 10-minute average ${(average * 100).toFixed(1)}%; settled RSS lowest ${(rssEarly / 1024).toFixed(1)} -> ${(rssLate / 1024).toFixed(1)} MiB ` +
        `(max ${(rssMax / 1024).toFixed(1)}), settled fds ${total(first.fds)} at ${(first.at / 1000).toFixed(0)} s -> ${total(last.fds)} at ${(last.at / 1000).toFixed(0)} s ` +
        `(${settledAt.length} settled samples over ${last.restarts - first.restarts} restarts, max drift ${drift}; transient peak ${peak}), ${last.children} children left, API p99 ${Math.round(p99)} ms over ${latencies.length} calls, busiest 10 ms bucket ${busiest} spawns ` +
        `(pass: CPU <= 10% averaged over 10 minutes and at the cap, settled RSS +<= 10 MiB, settled fds +-5, p99 < 100 ms, <= 20 per 10 ms)${kinds}`,
    );
    expect(restarts.length).toBeGreaterThanOrEqual(UNITS * (RAMP_RESTARTS + 1));
    expect(average).toBeLessThanOrEqual(0.1);
    expect(steadyRate).toBeLessThanOrEqual(0.1);
    expect(rssLate - rssEarly).toBeLessThanOrEqual(10 * 1024);
    // The comparison spans real restarts of every unit, or it proves nothing.
    expect(last.restarts - first.restarts).toBeGreaterThanOrEqual(UNITS);
    expect(drift).toBeLessThanOrEqual(5);
    expect(last.children).toBe(0);
    expect(p99).toBeLessThan(100);
    expect(busiest).toBeLessThanOrEqual(20);
  }, 360_000);
});
