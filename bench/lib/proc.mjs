// /proc readers: the harness finds workload processes by their BENCH_RUN/BENCH_TAG environment, never by name.
// Why: every peer (sbx, pm2, supervisord) is measured by the same census, independent of its own reporting.

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for utime/stime (Linux: 100 everywhere we run). */
export const CLK_TCK = 100;

/** Why: the pids of every process visible to us, the base of every census. */
export function listPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    const c = entry.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(entry));
  }
  return pids;
}

/** Why: one parsed /proc/PID/stat (comm, state, ppid, CPU ticks, start time), or null when the process is gone. */
export function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const comm = text.slice(open + 1, close);
  const f = text.slice(close + 2).split(' '); // f[0] is field 3 (state)
  return {
    pid,
    comm,
    state: f[0],
    ppid: Number(f[1]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    cutime: Number(f[13]),
    cstime: Number(f[14]),
    start: Number(f[19]),
  };
}

/** Why: a zombie or dying process is not "alive" for any measurement. */
export function isAlive(stat) {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.state !== 'x';
}

/**
 * Why: BENCH_RUN and BENCH_TAG of a process ({} when it has none); null when the environment cannot be read yet:
 * the process is gone, or it is in the middle of exec (comm already new, environment not yet laid out).
 */
export function readBenchEnv(pid) {
  let buf;
  try {
    buf = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  if (buf.length === 0) return null;
  const out = {};
  const text = buf.toString('latin1');
  let i = text.indexOf('BENCH_');
  while (i !== -1) {
    if (i === 0 || text.charCodeAt(i - 1) === 0) {
      const end = text.indexOf('\0', i);
      const pair = text.slice(i, end === -1 ? undefined : end);
      const eq = pair.indexOf('=');
      if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    i = text.indexOf('BENCH_', i + 6);
  }
  return out;
}

/**
 * Finds the live processes of one bench run. Caches each process's environment by (pid, start time, comm):
 * the environment only changes at exec, and exec changes comm, so a forked child that has not exec'd yet
 * is read again once it has.
 * Why: a scan every ~10 ms over every process must stay cheap.
 */
export class Census {
  constructor(runId) {
    this.runId = runId;
    this.cache = new Map();
  }

  /** Why: every live process carrying this run's BENCH_RUN, with its tag and comm. */
  scan() {
    const found = [];
    const seen = new Map();
    for (const pid of listPids()) {
      const st = readStat(pid);
      if (!isAlive(st)) continue;
      const key = `${st.start}:${st.comm}`;
      let tag = this.cache.get(pid);
      if (tag === undefined || tag.key !== key) {
        const env = readBenchEnv(pid);
        if (env === null) continue; // mid-exec or gone: read it again next scan
        tag = { key, tag: env.BENCH_RUN === this.runId ? (env.BENCH_TAG ?? '') : null };
      }
      seen.set(pid, tag);
      if (tag.tag !== null) found.push({ pid, start: st.start, comm: st.comm, ppid: st.ppid, tag: tag.tag });
    }
    this.cache = seen;
    return found;
  }
}

/** Why: distinct tags with a live process of the given comm (N tags = all N workload units up). */
export function countTags(procs, comm) {
  const tags = new Set();
  for (const p of procs) if (p.comm === comm) tags.add(p.tag);
  return tags.size;
}

/** Why: a process identity that survives pid reuse. */
export function sameProcessAlive(ref) {
  const st = readStat(ref.pid);
  return isAlive(st) && st.start === ref.start;
}

/** Why: every live descendant of the given roots (the supervisor's tree), from one ppid map. */
export function descendantsOf(rootPids) {
  const children = new Map();
  const stats = new Map();
  for (const pid of listPids()) {
    const st = readStat(pid);
    if (!isAlive(st)) continue;
    stats.set(pid, st);
    const list = children.get(st.ppid) ?? [];
    list.push(pid);
    children.set(st.ppid, list);
  }
  const out = [];
  const queue = [...rootPids];
  while (queue.length > 0) {
    const pid = queue.shift();
    for (const c of children.get(pid) ?? []) {
      out.push(stats.get(c));
      queue.push(c);
    }
  }
  return out;
}

/** Why: resident and proportional memory of one process in KiB (PSS counts shared pages once). */
export function memoryKiB(pid) {
  let rss = null;
  let pss = null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    if (m) rss = Number(m[1]);
  } catch {
    /* gone */
  }
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    if (m) pss = Number(m[1]);
  } catch {
    /* gone or no smaps_rollup */
  }
  return { rss, pss };
}

/** Why: CPU ticks a process used, its reaped children included (idle CPU of a supervisor). */
export function cpuTicks(pid) {
  const st = readStat(pid);
  return st === null ? null : st.utime + st.stime + st.cutime + st.cstime;
}

/** Why: the last pid the kernel handed out; a change means new processes exist (restart detection). */
export function lastPid() {
  try {
    return Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'));
  } catch {
    return null;
  }
}

/** Why: pid_max bounds the wrap-around when walking new pids. */
export function pidMax() {
  try {
    return Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1'));
  } catch {
    return 32768;
  }
}

/** Why: the 1-minute load average, recorded beside every measurement (the machine is shared). */
export function loadAverage() {
  try {
    return Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[0]);
  } catch {
    return null;
  }
}
