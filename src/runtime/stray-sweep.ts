// Finding and stopping a project's stray runs: processes a crashed daemon spawned but never recorded (it died between
// the spawn and the state write), which a later daemon would otherwise never see, and start a second time
// (reliability S9). A run belongs to a project by its scope: every run of a scoped runner lives in the scope's own
// cgroup folder and carries SBX_SCOPE in its environment; anything there that the new daemon did not adopt is a stray.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environValue, scanEnviron } from './proc-scan.js';
import { stopCgroupRun, stopTaggedRun } from './run-stopper.js';

/** The environment variable naming a run's scope (the project it belongs to). */
export const SCOPE_VARIABLE = 'SBX_SCOPE';

/** Grace a stray gets between TERM and KILL: it was never reported to anyone, so it is not waited on for long. */
export const STRAY_STOP_MS = 1_000;

/** The folder, under the cgroup base, holding one scope's run cgroups. */
export const scopeCgroupDir = (base: string, scope: string): string => join(base, `scope-${scope.replace(/[^A-Za-z0-9_-]/g, '_')}`);

/** Stops every run cgroup in `scopeDir` whose directory is not in `keep` (absolute paths); returns the ones stopped. */
export const sweepCgroups = async (scopeDir: string, keep: ReadonlySet<string>): Promise<string[]> => {
  const names = await readdir(scopeDir).catch(() => [] as string[]);
  const strays = names.map((name) => join(scopeDir, name)).filter((dir) => !keep.has(dir));
  // Only folders are cgroups; the interface files (cgroup.procs, ...) are not.
  const dirs = (await Promise.all(strays.map(async (dir) => ((await readdir(dir).catch(() => null)) ? dir : null)))).filter((d): d is string => d !== null);
  await Promise.all(dirs.map((dir) => stopCgroupRun(dir, STRAY_STOP_MS)));
  return dirs;
};

/** Live pids of `scope` whose tag (tagVariable) is not in `keep`, from a fresh scan of /proc. */
const strayPids = async (scope: string, tagVariable: string, keep: ReadonlySet<string>): Promise<number[]> => {
  const pids = ((await scanEnviron(SCOPE_VARIABLE)).get(scope) ?? []).filter((pid) => pid !== process.pid);
  const strays: number[] = [];
  for (const pid of pids) {
    const environ = await readFile(`/proc/${pid}/environ`).catch(() => null);
    const tag = environ ? environValue(environ, tagVariable) : null;
    if (environ && (tag === null || !keep.has(tag))) strays.push(pid);
  }
  return strays;
};

/** Stops every process of `scope` whose tag is not in `keep` (tag mode, and anything that left its cgroup); returns how many there were. */
export const sweepTagged = async (scope: string, tagVariable: string, keep: ReadonlySet<string>): Promise<number> => {
  const first = await strayPids(scope, tagVariable, keep);
  if (first.length === 0) return 0;
  await stopTaggedRun(() => strayPids(scope, tagVariable, keep), STRAY_STOP_MS);
  return first.length;
};
