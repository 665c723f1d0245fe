// The contract for starting and stopping a unit's processes; the engine sees only this.

/** Everything needed to exec one run of a unit. */
export interface LaunchRequest {
  unit: string;
  /** Unique per run (a restart gets a new one); part of the process tag. */
  runId: string;
  /** Exact argv; never passed through a shell by the runner. */
  argv: string[];
  cwd: string;
  /** Final environment (PORT already injected); the runner adds the tag variable. */
  env: Record<string, string>;
  /** Unix user to run as, or null for sbx's own user. */
  user: string | null;
  /** File descriptors the child gets as stdout and stderr (from the log store). */
  stdio: { stdout: number; stderr: number };
}

/** How a run is recognised, also after a daemon restart: never by pid alone. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/PID/stat (clock ticks since boot). */
  startTime: number;
  /** Value of the tag variable every descendant inherits. */
  tag: string;
  /** Absolute cgroup v2 directory holding the run, or null when none could be written. */
  cgroup: string | null;
}

/** How the leader ended; `known: false` when the run was adopted and its exit status is lost. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  known: boolean;
}

/** A live run. */
export interface RunningProcess {
  identity: ProcessIdentity;
  /** Resolves once the leader process has exited. */
  exited: Promise<ExitInfo>;
}

/** What a stop did. */
export interface StopOutcome {
  /** True when SIGKILL was needed. */
  escalated: boolean;
  durationMs: number;
}

/** Raised for a start that cannot happen (unknown user, missing executable, no privilege). */
export class SpawnError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown-user' | 'no-privilege' | 'not-found' | 'bad-cwd' | 'spawn-failed',
  ) {
    super(message);
    this.name = 'SpawnError';
  }
}

/** Starts, adopts and stops the processes of units. */
export interface ProcessRunner {
  /** Execs the run; resolves once the process exists (not once it is ready). Rejects with SpawnError. */
  start(request: LaunchRequest): Promise<RunningProcess>;
  /** SIGTERM to every process of the run, wait up to timeoutMs, then SIGKILL; resolves only when none is left. */
  stop(identity: ProcessIdentity, timeoutMs: number): Promise<StopOutcome>;
  /** Re-attaches to a run started by an earlier daemon when (pid, startTime) still match; null when it is gone. */
  adopt(identity: ProcessIdentity): RunningProcess | null;
  /** Pids of every live process of the run (leader and descendants, however they detached). */
  members(identity: ProcessIdentity): Promise<number[]>;
  /**
   * Optional (scoped runners): stops every run of this runner's scope that is not in `keep` — runs an earlier daemon
   * spawned but never recorded — and returns their tags or cgroups. Called once adoption is done.
   */
  sweep?(keep: readonly ProcessIdentity[]): Promise<string[]>;
}
