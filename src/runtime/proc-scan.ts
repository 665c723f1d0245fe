// Reading /proc: process identity (pid + start time) and finding processes by an inherited environment tag.

import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** What /proc/PID/stat says about identity and liveness. */
export interface StatFields {
  /** Field 3: R, S, D, Z (zombie), T, X (dead)... */
  state: string;
  /** Field 22: start time in clock ticks since boot. */
  startTime: number;
}

/** Parses /proc/PID/stat; the command name (field 2) may hold spaces and ')' so fields are read after the last ')'. */
export const parseStat = (text: string): StatFields | null => {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ')' come fields 3.. separated by single spaces; field N sits at index N - 3.
  const fields = text.slice(close + 1).trim().split(' ');
  const state = fields[0];
  const start = fields[19];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return null;
  return { state, startTime: Number(start) };
};

/** True for states that mean the process no longer runs (zombie or dead). */
export const isDeadState = (state: string): boolean => state === 'Z' || state === 'X' || state === 'x';

/** Reads /proc/PID/stat synchronously (one small kernel-generated file); null when the pid does not exist. */
export const readStatSync = (pid: number): StatFields | null => {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
};

/** Reads /proc/PID/stat; null when the pid does not exist. */
export const readStat = async (pid: number): Promise<StatFields | null> => {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
};

/** True when pid is a live (not zombie) process whose start time equals startTime: identity never rests on the pid alone. */
export const isSameLiveProcess = (stat: StatFields | null, startTime: number): boolean =>
  stat !== null && stat.startTime === startTime && !isDeadState(stat.state);

/**
 * Value of variable `name` in a NUL-separated environ block, or null. Only whole entries count:
 * `XSBX_TAG=a` or `SBX_TAG=ab` never match a search for SBX_TAG=a.
 */
export const environValue = (environ: Buffer, name: string): string | null => {
  const prefix = Buffer.from(`${name}=`, 'latin1');
  let from = 0;
  for (;;) {
    const at = environ.indexOf(prefix, from);
    if (at < 0) return null;
    if (at === 0 || environ[at - 1] === 0) {
      const end = environ.indexOf(0, at);
      return environ.toString('utf8', at + prefix.length, end < 0 ? environ.length : end);
    }
    from = at + 1;
  }
};

/** Pids listed in /proc (numeric entries). */
export const listPids = async (): Promise<number[]> => {
  const names = await readdir('/proc');
  const pids: number[] = [];
  for (const name of names) if (/^\d+$/.test(name)) pids.push(Number(name));
  return pids;
};

const SCAN_CONCURRENCY = 32;

/**
 * One pass over /proc: every process whose environment defines `name`, grouped by value. Zombies have an empty
 * environ and drop out; processes we may not read (other users, when not root) are skipped.
 */
export const scanEnviron = async (name: string): Promise<Map<string, number[]>> => {
  const pids = await listPids();
  const found = new Map<string, number[]>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pids.length) {
      const pid = pids[next++] as number;
      let environ: Buffer;
      try {
        environ = await readFile(`/proc/${pid}/environ`);
      } catch {
        continue;
      }
      const value = environValue(environ, name);
      if (value === null) continue;
      const list = found.get(value);
      if (list) list.push(pid);
      else found.set(value, [pid]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, pids.length) }, worker));
  return found;
};

/**
 * Shares /proc scans between concurrent callers (500 units stopping at once must not mean 500 scans per poll).
 * A caller always gets a scan that started after its request, so signals it sent before asking are reflected.
 */
export class EnvironScanner {
  #queued: Promise<Map<string, number[]>> | null = null;
  #running: Promise<unknown> = Promise.resolve();

  constructor(private readonly name: string) {}

  /** Pids per tag value, from a scan that begins after this call. */
  scan(): Promise<Map<string, number[]>> {
    if (this.#queued) return this.#queued;
    const queued = this.#running.then(() => {
      this.#queued = null;
      const run = scanEnviron(this.name);
      this.#running = run.catch(() => undefined);
      return run;
    });
    this.#queued = queued;
    return queued;
  }

  /** Live pids carrying tag value `value` (never this process itself). */
  async pidsOf(value: string): Promise<number[]> {
    return ((await this.scan()).get(value) ?? []).filter((pid) => pid !== process.pid);
  }
}
