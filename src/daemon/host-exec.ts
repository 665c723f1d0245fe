// `exec` for host units: the argv as given (never a shell), in the unit's folder, environment and user, with a hard timeout
// that kills the command's whole tree: its process group, and every process carrying its exec tag (a child that called
// setsid() leaves the group but keeps the tag, and would otherwise hold the output pipes open and the call with them).

import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { ObservedUnit } from '../engine/types.js';
import type { UnitSpec } from '../manifest/types.js';
import { scanEnviron } from '../runtime/proc-scan.js';
import { stopTaggedRun } from '../runtime/run-stopper.js';
import { findSetpriv, resolveUser, setprivPrefix } from '../runtime/unix-user.js';
import type { ExecResult } from './api-types.js';
import type { UnitExecutor } from './deps.js';
import { badRequest, conflict, HttpError } from './http-error.js';

/** The variable every process of one exec inherits, so a timeout finds them all. */
export const EXEC_TAG_VARIABLE = 'SBX_EXEC_TAG';

/** Output kept per stream; the rest is cut (the command is not blocked). */
export const MAX_EXEC_OUTPUT_BYTES = 16 * 1024 * 1024;

/** The argv to run: as the unit's user (through setpriv) when it has one. */
const argvFor = async (spec: UnitSpec, cmd: string[]): Promise<string[]> => {
  if (spec.user === null) return cmd;
  const user = await resolveUser(spec.user);
  if (!user) throw conflict(`unit ${spec.name} runs as user "${spec.user}", who does not exist on this machine`, 'user');
  if (user.uid === process.getuid?.()) return cmd;
  const setpriv = await findSetpriv();
  if (!setpriv) throw conflict(`exec as user "${spec.user}" needs setpriv (util-linux), which is not installed`, 'user');
  return [...setprivPrefix(setpriv, user), ...cmd];
};

/** The unit's environment as a process would get it (PORT as assigned). */
const envFor = (spec: UnitSpec, observed: ObservedUnit | null): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(spec.env)) env[name] = v.value;
  const port = observed?.port ?? spec.port;
  if (port !== null) env['PORT'] = String(port);
  return env;
};

/** SIGKILLs the exec's process group, then every process still carrying its tag until none is left. */
const killTree = async (pid: number | undefined, tag: string): Promise<void> => {
  if (pid !== undefined) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stopTaggedRun(async () => ((await scanEnviron(EXEC_TAG_VARIABLE)).get(tag) ?? []).filter((p) => p !== process.pid), 0);
};

/** Runs exec for host units; container units go through unitExecutor (container-exec.ts) and answer 501 here. */
export const hostExecutor: UnitExecutor = {
  async exec(spec, observed, cmd, timeoutMs): Promise<ExecResult> {
    if (spec.container) throw new HttpError(501, 'not-implemented', `exec into container unit ${spec.name} is not available yet`, 'name');
    const argv = await argvFor(spec, cmd);
    const [file, ...args] = argv as [string, ...string[]];
    const tag = randomBytes(8).toString('hex');
    const child = execa(file, args, {
      cwd: spec.cwd,
      env: { ...envFor(spec, observed), [EXEC_TAG_VARIABLE]: tag },
      extendEnv: true,
      stdin: 'ignore',
      detached: true,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: MAX_EXEC_OUTPUT_BYTES,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killTree(child.pid, tag);
    }, timeoutMs);
    const result = await child.finally(() => clearTimeout(timer));
    if (result.exitCode === undefined && result.signal === undefined && !timedOut) {
      const cause = (result as { originalMessage?: string }).originalMessage ?? result.shortMessage;
      throw badRequest(`cannot run ${JSON.stringify(cmd[0])} in ${spec.cwd}: ${cause}`, 'cmd.0');
    }
    return {
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      exit_code: result.exitCode ?? null,
      timed_out: timedOut,
    };
  },
};
