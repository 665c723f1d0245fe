// The tests' own survivor census: processes carrying a test's marker variable, found independently of the runner.

import { readFileSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/** The variable tests put into every unit's environment (the runner adds its own SBX_TAG on top). */
export const CENSUS_VARIABLE = 'SBX_TEST_RUN';

/** A fresh marker value for one test. */
export const newCensusValue = (): string => `t-${randomUUID()}`;

/** Pids whose environment holds exactly CENSUS_VARIABLE=value (zombies have no environment and do not count). */
export const censusPids = (value: string): number[] => {
  const entry = Buffer.from(`${CENSUS_VARIABLE}=${value}\0`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue;
    }
    const at = environ.indexOf(entry);
    if (at === 0 || (at > 0 && environ[at - 1] === 0)) pids.push(Number(name));
  }
  return pids;
};

/** Cleanup for afterEach: SIGKILLs anything still carrying the marker and returns how many there were. */
export const killCensus = (value: string): number => {
  const pids = censusPids(value);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
};
