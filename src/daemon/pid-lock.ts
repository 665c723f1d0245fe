// One daemon per state folder: an exclusive lock file holding (pid, start time), published whole with link(2);
// a lock whose process is gone (or whose pid was reused) is broken under a second lock, so two takers never both win.

import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { isSameLiveProcess, readStatSync } from '../runtime/proc-scan.js';

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  start_time: number;
}

/** A held lock. */
export interface PidLock {
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/** Either the lock, or the live process that holds it. */
export type LockOutcome = { acquired: true; lock: PidLock } | { acquired: false; holder: LockHolder };

const MAX_ATTEMPTS = 100;

const me = (): LockHolder => ({ pid: process.pid, start_time: readStatSync(process.pid)?.startTime ?? 0 });

const encode = (holder: LockHolder): string => `${JSON.stringify(holder)}\n`;

/** Parses lock content; null when it is not a holder record. */
export const parseHolder = (text: string): LockHolder | null => {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(value.pid) && Number.isInteger(value.start_time) && (value.pid as number) > 0) {
      return { pid: value.pid as number, start_time: value.start_time as number };
    }
  } catch {
    // not JSON
  }
  return null;
};

const isAlive = (holder: LockHolder): boolean => isSameLiveProcess(readStatSync(holder.pid), holder.start_time);

const readOrNull = async (path: string): Promise<string | null> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Removes the lock at `path` if it still holds `stale`, while holding `path.break` (only one breaker at a time). */
const breakStale = async (path: string, stale: string): Promise<void> => {
  const breaker = `${path}.break`;
  try {
    await writeFile(breaker, encode(me()), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (code(error) !== 'EEXIST') throw error;
    const other = parseHolder((await readOrNull(breaker)) ?? '');
    if (other === null || !isAlive(other)) await unlink(breaker).catch(() => undefined);
    else await new Promise((resolve) => setTimeout(resolve, 5));
    return;
  }
  try {
    if ((await readOrNull(path)) === stale) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
};

/** Takes the lock at `path`, or says which live process holds it. */
export const acquirePidLock = async (path: string): Promise<LockOutcome> => {
  const mine = encode(me());
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, mine, { flag: 'wx', mode: 0o600 });
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        await link(temp, path);
        return { acquired: true, lock: { release: () => releaseIfOurs(path, mine) } };
      } catch (error) {
        if (code(error) !== 'EEXIST') throw error;
      }
      const content = await readOrNull(path);
      if (content === null) continue;
      const holder = parseHolder(content);
      if (holder && isAlive(holder)) return { acquired: false, holder };
      await breakStale(path, content);
    }
    throw new Error(`could not take the lock ${path} after ${MAX_ATTEMPTS} attempts`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
};

const releaseIfOurs = async (path: string, mine: string): Promise<void> => {
  if ((await readOrNull(path)) === mine) await unlink(path).catch(() => undefined);
};
