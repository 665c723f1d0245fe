// The real process runner: detached runs in their own cgroup v2 (or found by an inherited tag), stopped with nothing left.
//
// Behaviour worth knowing:
// - argv is exec'd verbatim, never through a shell. In cgroup mode a tiny `/bin/sh -c` entry (CGROUP_ENTRY_SCRIPT)
//   first writes its own pid into the run's cgroup, then execs the argv in place: the unit joins its cgroup before it
//   can fork, and no value is ever parsed by the shell (they are positional parameters).
// - Every run gets SBX_TAG=<tag> in its environment; every descendant inherits it. Tag mode (no writable cgroup, or
//   `cgroups: 'off'`) finds members by scanning /proc/*/environ; it misses processes that clear their environment
//   (env -i) or overwrite it in memory (e.g. PostgreSQL's ps titles). cgroup mode has no such gap; only a root unit
//   that moves itself out of its cgroup escapes.
// - `user`: resolved from /etc/passwd and /etc/group by exact name (never as a number); uid, gid and the supplementary
//   groups are set by exec'ing through util-linux `setpriv --reuid --regid --groups -- argv` (argv-safe), because
//   Node/libuv would clear supplementary groups. The cgroup join happens first, as root. HOME/USER are not changed:
//   the environment is the caller's.
// - Runs are detached (own session, stdin /dev/null): a daemon killed with SIGKILL leaves them running for adopt().
// - When the leader exits, the runner does NOT kill the remaining members: the engine calls stop() to clean up
//   (cheap when nothing is left; it also removes the run's cgroup, which is removed right away when already empty).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { silentLogger, type Logger } from '../shared/logger.js';
import { faultPoint } from '../shared/fault.js';
import { nextTurn } from '../shared/turn-pacer.js';
import { cgroupPids, createRunCgroup, detectCgroupBase, joinCgroupSync, removeRunCgroup } from './cgroup.js';
import { buildLaunchArgv, findExecutable } from './launch-argv.js';
import { EnvironScanner, isSameLiveProcess, readStat, readStatSync } from './proc-scan.js';
import type { ExitInfo, LaunchRequest, ProcessIdentity, ProcessRunner, RunningProcess, StopOutcome } from './process-runner.js';
import { SpawnError } from './process-runner.js';
import { stopCgroupRun, stopTaggedRun } from './run-stopper.js';
import { SCOPE_VARIABLE, scopeCgroupDir, sweepCgroups, sweepTagged } from './stray-sweep.js';
import { findSetpriv, resolveUser, setprivPrefix } from './unix-user.js';

/** The environment variable every process of a run inherits. */
export const TAG_VARIABLE = 'SBX_TAG';

/** How often adopted leaders are checked for exit. */
export const ADOPT_POLL_MS = 200;

/** Options for the Linux runner. */
export interface LinuxProcessRunnerOptions {
  /** 'auto': a cgroup v2 per run when one can be written, else the tag; 'off': always the tag. */
  cgroups?: 'auto' | 'off';
  /** Parent directory for per-run cgroups (skips detection); must be in a writable cgroup v2 hierarchy. */
  cgroupBase?: string;
  /**
   * The project this runner works for (e.g. a digest of the state folder). Runs then live in the scope's own cgroup
   * folder and carry SBX_SCOPE, so sweep() can find runs a crashed daemon never recorded. Unset: no sweep.
   */
  scope?: string;
  logger?: Logger;
}

/** Makes a tag unique per run, even across daemons and projects that reuse unit names and run ids. */
export const makeRunTag = (unit: string, runId: string): string => `${unit}.${runId}.${randomBytes(4).toString('hex')}`;

/** Starts, adopts and stops units' processes on Linux. */
export class LinuxProcessRunner implements ProcessRunner {
  readonly #mode: 'auto' | 'off';
  readonly #logger: Logger;
  readonly #scope: string | null;
  #base: Promise<string | null> | null;
  #setpriv: Promise<string | null> | null = null;
  readonly #scanner = new EnvironScanner(TAG_VARIABLE);
  /** Leaders this instance spawned (by pid), so stop() can also wait for their reaping. */
  readonly #children = new Map<number, { startTime: number; exited: Promise<ExitInfo> }>();
  /** Poll triggers of adopted leaders, so stop() can report their exit at once. */
  readonly #adopted = new Map<number, () => void>();

  constructor(options: LinuxProcessRunnerOptions = {}) {
    this.#mode = options.cgroups ?? 'auto';
    this.#logger = options.logger ?? silentLogger;
    this.#scope = options.scope ?? null;
    this.#base = options.cgroupBase !== undefined ? Promise.resolve(options.cgroupBase) : null;
  }

  /** The directory per-run cgroups are created in, or null in tag mode (detected once). */
  cgroupBase(): Promise<string | null> {
    if (this.#mode === 'off') return Promise.resolve(null);
    this.#base ??= detectCgroupBase().then((base) => {
      this.#logger.info({ cgroupBase: base }, base ? 'process runner: cgroup v2 per run' : 'process runner: no writable cgroup v2, using the environment tag');
      return base;
    });
    return this.#base;
  }

  async start(request: LaunchRequest): Promise<RunningProcess> {
    const { unit, argv, cwd } = request;
    const command = argv[0];
    if (command === undefined) throw new SpawnError(`unit ${unit}: empty command (argv has no program)`, 'not-found');
    const cwdStat = await stat(cwd).catch(() => null);
    if (!cwdStat?.isDirectory()) throw new SpawnError(`unit ${unit}: working directory ${cwd} does not exist or is not a directory`, 'bad-cwd');
    const userPrefix = await this.#userPrefix(request);
    if ((await findExecutable(command, cwd, request.env.PATH)) === null) {
      throw new SpawnError(`unit ${unit}: command ${JSON.stringify(command)} not found (or not executable) in PATH or ${cwd}`, 'not-found');
    }
    const tag = makeRunTag(unit, request.runId);
    const cgroup = await this.#createCgroup(tag);
    const [file, ...args] = buildLaunchArgv(argv, { cgroupDir: cgroup, userPrefix }) as [string, ...string[]];
    // The fork and the cgroup join below are synchronous: one launch's worth per event-loop turn (turn-pacer.ts).
    await nextTurn();
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        argv0: file,
        cwd,
        env: { ...request.env, [TAG_VARIABLE]: tag, ...(this.#scope ? { [SCOPE_VARIABLE]: this.#scope } : {}) },
        stdio: ['ignore', request.stdio.stdout, request.stdio.stderr],
        detached: true,
      });
    } catch (error) {
      if (cgroup) await removeRunCgroup(cgroup);
      throw new SpawnError(`unit ${unit}: cannot start: ${(error as Error).message}`, 'spawn-failed');
    }
    const pid = child.pid;
    if (pid === undefined) {
      const reason = await new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
      if (cgroup) await removeRunCgroup(cgroup);
      throw new SpawnError(`unit ${unit}: cannot start: ${reason}`, 'spawn-failed');
    }
    // Read now, synchronously: the child cannot have been reaped yet (reaping happens on a later loop turn).
    const startTime = readStatSync(pid)?.startTime ?? 0;
    // Join the cgroup from here as well, before start() resolves: a stop issued right away then finds the leader even
    // if the entry script has not run its own `echo $$` yet (which would otherwise race with the stop's rmdir).
    if (cgroup) joinCgroupSync(cgroup, pid);
    faultPoint('after-spawn');
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#children.delete(pid);
        if (cgroup) void removeRunCgroup(cgroup);
        resolve({ code, signal, known: true });
      });
    });
    child.on('error', (error) => this.#logger.warn({ unit, pid, err: error.message }, 'process runner: child error'));
    this.#children.set(pid, { startTime, exited });
    return { identity: { pid, startTime, tag, cgroup }, exited };
  }

  async stop(identity: ProcessIdentity, timeoutMs: number): Promise<StopOutcome> {
    const began = Date.now();
    const budget = Math.max(0, timeoutMs);
    const { escalated, termAt } = identity.cgroup
      ? await stopCgroupRun(identity.cgroup, budget)
      : await stopTaggedRun(() => this.#taggedMembers(identity), budget);
    const own = this.#children.get(identity.pid);
    if (own && own.startTime === identity.startTime) await own.exited;
    this.#adopted.get(identity.pid)?.();
    if (escalated) this.#logger.info({ tag: identity.tag, timeoutMs }, 'process runner: stop escalated to SIGKILL');
    const durationMs = Date.now() - began;
    this.#logger.info({ tag: identity.tag, termAt, escalated, durationMs }, 'process runner: stopped');
    return { escalated, durationMs };
  }

  adopt(identity: ProcessIdentity): RunningProcess | null {
    if (!isSameLiveProcess(readStatSync(identity.pid), identity.startTime)) return null;
    const own = this.#children.get(identity.pid);
    if (own && own.startTime === identity.startTime) return { identity, exited: own.exited };
    const exited = new Promise<ExitInfo>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let checking = false;
      const check = async (): Promise<void> => {
        if (checking) return;
        checking = true;
        const alive = isSameLiveProcess(await readStat(identity.pid), identity.startTime);
        checking = false;
        if (alive) return;
        clearInterval(timer);
        this.#adopted.delete(identity.pid);
        resolve({ code: null, signal: null, known: false });
      };
      timer = setInterval(() => void check(), ADOPT_POLL_MS);
      timer.unref();
      this.#adopted.set(identity.pid, () => void check());
    });
    return { identity, exited };
  }

  async sweep(keep: readonly ProcessIdentity[]): Promise<string[]> {
    if (!this.#scope) return [];
    const base = await this.cgroupBase();
    const swept = base ? await sweepCgroups(scopeCgroupDir(base, this.#scope), new Set(keep.flatMap((k) => (k.cgroup ? [k.cgroup] : [])))) : [];
    const tagged = await sweepTagged(this.#scope, TAG_VARIABLE, new Set(keep.map((k) => k.tag)));
    if (swept.length > 0 || tagged > 0) this.#logger.warn({ cgroups: swept, taggedProcesses: tagged }, 'process runner: stopped runs an earlier daemon started but never recorded');
    return swept;
  }

  async members(identity: ProcessIdentity): Promise<number[]> {
    if (identity.cgroup) return cgroupPids(identity.cgroup);
    return this.#taggedMembers(identity);
  }

  /** Tag mode: processes carrying the tag, plus the leader itself (by pid and start time) should it have dropped its environment. */
  async #taggedMembers(identity: ProcessIdentity): Promise<number[]> {
    const pids = await this.#scanner.pidsOf(identity.tag);
    if (!pids.includes(identity.pid) && isSameLiveProcess(await readStat(identity.pid), identity.startTime)) pids.push(identity.pid);
    return pids;
  }

  /** Resolves `user` to a setpriv prefix; [] when no switch is needed (null, or already that user). */
  async #userPrefix(request: LaunchRequest): Promise<string[]> {
    if (request.user === null) return [];
    const user = await resolveUser(request.user).catch(() => null);
    if (!user) throw new SpawnError(`unit ${request.unit}: user ${JSON.stringify(request.user)} does not exist (checked /etc/passwd)`, 'unknown-user');
    const self = process.getuid?.() ?? -1;
    if (self === user.uid && (process.getgid?.() ?? -1) === user.gid) return [];
    if (self !== 0) {
      throw new SpawnError(`unit ${request.unit}: running as user ${user.name} needs root; sbx runs as uid ${self}`, 'no-privilege');
    }
    this.#setpriv ??= findSetpriv();
    const setpriv = await this.#setpriv;
    if (!setpriv) throw new SpawnError(`unit ${request.unit}: running as user ${user.name} needs setpriv (util-linux), which is not installed`, 'spawn-failed');
    return setprivPrefix(setpriv, user);
  }

  /** A fresh cgroup for the run, or null (tag mode) when none can be written. */
  async #createCgroup(tag: string): Promise<string | null> {
    const root = await this.cgroupBase();
    if (!root) return null;
    try {
      const base = this.#scope ? scopeCgroupDir(root, this.#scope) : root;
      if (this.#scope) await mkdir(base, { recursive: true });
      return await createRunCgroup(base, tag);
    } catch (error) {
      this.#logger.warn({ base: root, scope: this.#scope, err: (error as Error).message }, 'process runner: cannot create a cgroup, using the environment tag');
      return null;
    }
  }
}
