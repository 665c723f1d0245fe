// The exact argv a run is spawned with: optional cgroup entry, optional user switch, then the unit's argv untouched.

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/**
 * Joins the cgroup before the unit can fork: the shell writes its own pid ($$) into cgroup.procs, then execs the
 * rest in place (same pid). Values arrive as positional parameters and are never parsed by the shell. 125 marks a
 * failed join (the exit status is the unit's, so it is distinct from the usual 1/126/127).
 */
export const CGROUP_ENTRY_SCRIPT = 'echo $$ > "$1/cgroup.procs" || exit 125; shift; exec "$@"';

/** The name the entry shell shows as $0 (visible in ps for the instant before exec). */
export const CGROUP_ENTRY_NAME = 'sbx-cgroup-entry';

/** Composes the spawn argv; the unit's own argv always comes last and verbatim. */
export const buildLaunchArgv = (argv: readonly string[], options: { cgroupDir: string | null; userPrefix: readonly string[] }): string[] => {
  const program = [...options.userPrefix, ...argv];
  if (options.cgroupDir === null) return program;
  return ['/bin/sh', '-c', CGROUP_ENTRY_SCRIPT, CGROUP_ENTRY_NAME, options.cgroupDir, ...program];
};

const isExecutableFile = async (path: string): Promise<boolean> => {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Finds the file argv[0] names the way execvp will (a name with '/' relative to cwd; otherwise each PATH entry,
 * an empty entry meaning cwd); null when there is none, so a missing program is a clear error before spawning.
 */
export const findExecutable = async (command: string, cwd: string, pathVariable: string | undefined): Promise<string | null> => {
  if (command === '') return null;
  if (command.includes('/')) {
    const full = isAbsolute(command) ? command : resolve(cwd, command);
    return (await isExecutableFile(full)) ? full : null;
  }
  for (const dir of (pathVariable ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const full = resolve(cwd, dir === '' ? '.' : dir, command);
    if (await isExecutableFile(full)) return full;
  }
  return null;
};
