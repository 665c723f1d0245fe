// The steps every workload is built from: bring N units up (timed), sample the supervisor, stop (timed, with leftovers).
// Why: cold start, chain, no-op, stop-with-grandchildren and steady state all measure through these same steps.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './launch.mjs';
import { cpuTicks, countTags, descendantsOf, memoryKiB, sameProcessAlive } from './proc.mjs';
import { now, sleep } from './timing.mjs';
import { WORKLOADS, makeUnits } from './workloads.mjs';

/**
 * Writes the peer's config for N units, issues its start command and scans /proc every ~10 ms until N units
 * have their leaf process alive. Why: "cold start" is exactly this interval, for every peer.
 * @returns {Promise<{upMs: number|null, firstMs: number|null, startCmd: object|null, error?: string}>} firstMs: the first unit alive.
 */
export async function startUnits(peer, run, { n, workload, chain = false, timeoutMs = 300_000 }) {
  const w = WORKLOADS[workload];
  peer.write(run, makeUnits(run.id, n, workload), { chain });
  const starter = peer.start(run);
  run.starter = starter;
  let upMs = null;
  let firstMs = null;
  let error;
  let exitedAt = null;
  for (;;) {
    const t = now();
    const up = countTags(run.census.scan(), w.leaf);
    if (up > 0 && firstMs === null) firstMs = t - starter.t0;
    if (up >= n) {
      upMs = t - starter.t0;
      break;
    }
    if (starter.result !== null && exitedAt === null) exitedAt = t;
    // A start command that exited non-zero gets 2 s of grace (its units may still be coming up), then counts as failed.
    if (exitedAt !== null && starter.result.code !== 0 && t - exitedAt > 2000) {
      error = `start command exited ${starter.result.code ?? starter.result.signal ?? starter.result.error}: ${tail(starter)}`;
      break;
    }
    if (exitedAt !== null && peer.startReturns === false) {
      error = `supervisor exited ${starter.result.code ?? starter.result.signal}: ${tail(starter)}`;
      break;
    }
    if (t - starter.t0 > timeoutMs) {
      error = `only ${countTags(run.census.scan(), w.leaf)}/${n} units up after ${timeoutMs} ms`;
      break;
    }
    await sleep(10);
  }
  let startCmd = null;
  if (peer.startReturns && error === undefined) {
    let timer;
    const r = await Promise.race([starter.exited, new Promise((res) => (timer = setTimeout(res, timeoutMs, null)))]);
    clearTimeout(timer);
    startCmd = r && { ms: r.ms, code: r.code };
    if (r && r.code !== 0) error = `start command exited ${r.code ?? r.signal}: ${tail(starter)}`;
  }
  run.supervisors = await peer.supervisors(run, starter);
  return { upMs, firstMs, startCmd, ...(error ? { error } : {}) };
}

/** Why: the last lines a peer's command printed, for error messages. */
export function tail(handle, lines = 3) {
  try {
    return readFileSync(handle.logFile, 'utf8').trim().split('\n').slice(-lines).join(' / ');
  } catch {
    return '';
  }
}

/** Why: the supervisor's own processes: its roots and their descendants that are not workload processes. */
export function supervisorProcesses(run) {
  const workload = new Set(run.census.scan().map((p) => p.pid));
  const roots = run.supervisors.filter(sameProcessAlive);
  const extra = descendantsOf(roots.map((r) => r.pid)).filter((st) => !workload.has(st.pid));
  return [...roots.map((r) => r.pid), ...extra.map((st) => st.pid)];
}

/** Why: supervisor memory, summed over its own processes (MiB), RSS and PSS. */
export function supervisorMemory(run) {
  const pids = supervisorProcesses(run);
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    const m = memoryKiB(pid);
    rss += m.rss ?? 0;
    pss += m.pss ?? 0;
  }
  return { rssMiB: rss / 1024, pssMiB: pss / 1024, processes: pids.length };
}

/** Why: CPU ticks of the supervisor's own processes, for idle-CPU windows. */
export function supervisorTicks(run) {
  return supervisorProcesses(run).reduce((sum, pid) => sum + (cpuTicks(pid) ?? 0), 0);
}

/**
 * Issues the peer's stop and waits until the command returned, the units' own processes are gone and the
 * supervisor exited; gives up after `timeoutMs` or when nothing changed for `stallMs`. Counts what is left 1 s later.
 * Why: "stop" and "processes left after it", identical for every peer.
 */
export async function measureStop(peer, run, workload, { timeoutMs = 90_000, stallMs = 10_000 } = {}) {
  const w = WORKLOADS[workload];
  const stopper = peer.stop(run);
  let childrenGoneMs = null;
  let stopMs = null;
  let notFinished = null;
  let signature = '';
  let lastChange = stopper.t0;
  for (;;) {
    const t = now();
    const procs = run.census.scan();
    const children = procs.filter((p) => p.comm === w.child).length;
    const supAlive = run.supervisors.filter(sameProcessAlive).length + (peer.startReturns ? 0 : run.starter?.result === null ? 1 : 0);
    if (children === 0 && childrenGoneMs === null) childrenGoneMs = t - stopper.t0;
    const sig = `${procs.length}/${supAlive}/${stopper.result === null ? 0 : 1}`;
    if (sig !== signature) {
      signature = sig;
      lastChange = t;
    }
    if (stopper.result !== null && children === 0 && supAlive === 0) {
      stopMs = t - stopper.t0;
      break;
    }
    if (t - stopper.t0 > timeoutMs) {
      notFinished = 'timeout';
      break;
    }
    if (t - lastChange > stallMs) {
      notFinished = 'stalled';
      break;
    }
    await sleep(20);
  }
  await sleep(1000);
  const left = run.census.scan();
  const leftChildren = left.filter((p) => p.comm === w.child).length;
  const leftGrandchildren = w.child === w.leaf ? 0 : left.filter((p) => p.comm === w.leaf).length;
  return {
    stopMs,
    childrenGoneMs,
    notFinished,
    stopCmd: stopper.result && { ms: stopper.result.ms, code: stopper.result.code },
    left: { children: leftChildren, grandchildren: leftGrandchildren, other: left.length - leftChildren - leftGrandchildren },
    supervisorLeft: run.supervisors.filter(sameProcessAlive).map((s) => s.comm),
  };
}

/** Why: the no-op apply (sbx only): time a second apply of the same manifest, and check it started nothing. */
export async function measureNoop(peer, run, workload) {
  const leaf = WORKLOADS[workload].leaf;
  const before = new Set(run.census.scan().filter((p) => p.comm === leaf).map((p) => p.pid));
  const h = peer.noop(run);
  const r = await h.exited;
  const after = run.census.scan().filter((p) => p.comm === leaf);
  const changed = after.filter((p) => !before.has(p.pid)).length;
  return { ms: r.ms, code: r.code, newProcesses: changed, output: tail(h, 2) };
}

/** Why: the time of `node <cli> --version`, the floor under any CLI call (Node start-up). */
export async function cliFloor(argv, run) {
  const h = launch(argv, { cwd: run.dir, env: run.env, logFile: join(run.dir, 'floor.log') });
  return (await h.exited).ms;
}
