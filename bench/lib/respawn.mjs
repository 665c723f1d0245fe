// Restart latency: SIGKILL one workload process, time until a new live process with the same tag exists.
// Why: new pids are seen through /proc/sys/kernel/ns_last_pid every ~1 ms, so the figure is not a scan interval.

import { isAlive, lastPid, pidMax, readBenchEnv, readStat } from './proc.mjs';
import { now, sleep } from './timing.mjs';

const isUnder = (pid, roots, depth = 4) => {
  let cur = pid;
  for (let i = 0; i < depth; i++) {
    const st = readStat(cur);
    if (st === null) return false;
    if (roots.has(st.ppid)) return true;
    cur = st.ppid;
  }
  return false;
};

/** Why: the pids handed out since `from` (up to `to`), across a wrap-around of pid_max. */
function newPids(from, to, max) {
  const out = [];
  for (let p = from + 1, guard = 0; guard < 10_000; guard++, p++) {
    if (p > max) p = 1;
    out.push(p);
    if (p === to) break;
  }
  return out;
}

/**
 * Kills the live `comm` process tagged `tag` in `run` and waits for its replacement.
 * Why: the crash-restart workload, identical for every peer.
 * @returns {Promise<{tag, ms: number|null, oldPid?, newPid?, error?}>} ms null when nothing came back in time.
 */
export async function measureRespawn(run, tag, comm, { timeoutMs = 10_000 } = {}) {
  const victim = run.census.scan().find((p) => p.tag === tag && p.comm === comm);
  if (!victim) return { tag, ms: null, error: 'no live process with this tag' };
  const roots = new Set(run.supervisors.map((s) => s.pid));
  const max = pidMax();
  let last = lastPid();
  const candidates = new Set();
  process.kill(victim.pid, 'SIGKILL');
  const t0 = now();
  while (now() - t0 < timeoutMs) {
    const cur = lastPid();
    if (cur !== null && cur !== last) {
      for (const p of newPids(last, cur, max)) candidates.add(p);
      last = cur;
    }
    if (cur === null) {
      const found = run.census.scan().find((p) => p.tag === tag && p.comm === comm && p.pid !== victim.pid);
      if (found) return { tag, ms: now() - t0, oldPid: victim.pid, newPid: found.pid };
    }
    for (const pid of candidates) {
      const st = readStat(pid);
      if (!isAlive(st) || !isUnder(pid, roots)) {
        candidates.delete(pid);
        continue;
      }
      if (st.comm !== comm) continue; // forked, not exec'd yet
      const env = readBenchEnv(pid);
      if (env === null) continue; // mid-exec: look again
      if (env.BENCH_RUN === run.id && env.BENCH_TAG === tag) return { tag, ms: now() - t0, oldPid: victim.pid, newPid: pid };
      candidates.delete(pid);
    }
    await sleep(1);
  }
  return { tag, ms: null, oldPid: victim.pid, error: `no new process within ${timeoutMs} ms` };
}
