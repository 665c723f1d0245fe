// An in-memory ProcessRunner for the engine's unit tests: no processes; the test decides when leaders exit.

import type { ExitInfo, LaunchRequest, ProcessIdentity, ProcessRunner, RunningProcess, StopOutcome } from '../process-runner.js';
import { SpawnError } from '../process-runner.js';

/** One run the fake knows about. */
export interface FakeRun {
  unit: string;
  identity: ProcessIdentity;
  /** False for runs adopted from survivors (their exit code is lost, like the real runner). */
  spawnedHere: boolean;
  exited: Promise<ExitInfo>;
  /** True until the leader exits (by exit() or stop()). */
  alive: boolean;
  resolveExit: (info: ExitInfo) => void;
}

/**
 * Records calls and lets the test drive exits, deterministically (pids from 1000, start times from 5000):
 *   const run = await runner.start(request);       // resolves at once; runner.started holds every request
 *   runner.exit('api', 1);                         // api's live leader exits with code 1 → run.exited resolves
 *   runner.exit('api', null, 'SIGKILL');           // ... or by a signal
 *   runner.failNextStart('api', 'unknown-user');   // api's next start() rejects with SpawnError('unknown-user')
 *   runner.escalateNextStop('api');                // api's next stop() reports escalated: true (exit by SIGKILL)
 *   runner.isRunning('api'); runner.runOf('api');  // the unit's live run, if any
 * stop() ends the run at once: the leader's exited resolves with signal SIGTERM (SIGKILL when escalated).
 * Daemon restarts: `new FakeProcessRunner({ survivors: old.liveRuns() })` makes those identities adoptable;
 * exit() on an adopted run resolves with known: false. adopt() of anything else returns null.
 */
export class FakeProcessRunner implements ProcessRunner {
  /** Every start() request, oldest first (failed ones included). */
  readonly started: LaunchRequest[] = [];
  /** Every stop() call, oldest first. */
  readonly stops: { unit: string | null; identity: ProcessIdentity; timeoutMs: number; outcome: StopOutcome }[] = [];
  /** Every adopt() call and whether it succeeded. */
  readonly adoptions: { identity: ProcessIdentity; adopted: boolean }[] = [];
  readonly #runs: FakeRun[] = [];
  readonly #survivors: { unit: string; identity: ProcessIdentity }[];
  readonly #failures = new Map<string, SpawnError['code']>();
  readonly #escalate = new Set<string>();
  #nextPid = 1000;
  #nextStartTime = 5000;

  constructor(options: { survivors?: { unit: string; identity: ProcessIdentity }[] } = {}) {
    this.#survivors = [...(options.survivors ?? [])];
  }

  /** Makes the unit's next start() reject with SpawnError(code). */
  failNextStart(unit: string, code: SpawnError['code'] = 'spawn-failed'): void {
    this.#failures.set(unit, code);
  }

  /** Makes the unit's next stop() report escalated: true. */
  escalateNextStop(unit: string): void {
    this.#escalate.add(unit);
  }

  /** Ends the unit's live leader; throws when it has none (the engine should have started it). */
  exit(unit: string, code: number | null = 0, signal: string | null = null): void {
    const run = this.runOf(unit);
    if (!run) throw new Error(`FakeProcessRunner.exit: unit ${unit} has no live run`);
    this.#end(run, { code, signal, known: run.spawnedHere });
  }

  /** The unit's live run, or undefined. */
  runOf(unit: string): FakeRun | undefined {
    return this.#runs.find((r) => r.unit === unit && r.alive);
  }

  /** True when the unit has a live run. */
  isRunning(unit: string): boolean {
    return this.runOf(unit) !== undefined;
  }

  /** Live runs as (unit, identity): pass them as `survivors` to a new instance to simulate a daemon restart. */
  liveRuns(): { unit: string; identity: ProcessIdentity }[] {
    return this.#runs.filter((r) => r.alive).map((r) => ({ unit: r.unit, identity: r.identity }));
  }

  async start(request: LaunchRequest): Promise<RunningProcess> {
    this.started.push(request);
    const failure = this.#failures.get(request.unit);
    if (failure) {
      this.#failures.delete(request.unit);
      throw new SpawnError(`unit ${request.unit}: fake start failure (${failure})`, failure);
    }
    const identity: ProcessIdentity = {
      pid: this.#nextPid++,
      startTime: this.#nextStartTime++,
      tag: `${request.unit}.${request.runId}`,
      cgroup: null,
    };
    return this.#track(request.unit, identity, true);
  }

  async stop(identity: ProcessIdentity, timeoutMs: number): Promise<StopOutcome> {
    const run = this.#find(identity);
    const escalated = run !== undefined && this.#escalate.delete(run.unit);
    if (run?.alive) this.#end(run, { code: null, signal: escalated ? 'SIGKILL' : 'SIGTERM', known: run.spawnedHere });
    const outcome = { escalated, durationMs: escalated ? timeoutMs : 0 };
    this.stops.push({ unit: run?.unit ?? null, identity, timeoutMs, outcome });
    return outcome;
  }

  adopt(identity: ProcessIdentity): RunningProcess | null {
    const live = this.#find(identity);
    if (live?.alive) {
      this.adoptions.push({ identity, adopted: true });
      return { identity: live.identity, exited: live.exited };
    }
    const index = this.#survivors.findIndex((s) => sameIdentity(s.identity, identity));
    const survivor = this.#survivors[index];
    this.adoptions.push({ identity, adopted: survivor !== undefined });
    if (!survivor) return null;
    this.#survivors.splice(index, 1);
    return this.#track(survivor.unit, survivor.identity, false);
  }

  async members(identity: ProcessIdentity): Promise<number[]> {
    return this.#find(identity)?.alive ? [identity.pid] : [];
  }

  #track(unit: string, identity: ProcessIdentity, spawnedHere: boolean): RunningProcess {
    let resolveExit!: (info: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((resolve) => (resolveExit = resolve));
    this.#runs.push({ unit, identity, spawnedHere, exited, alive: true, resolveExit });
    return { identity, exited };
  }

  #find(identity: ProcessIdentity): FakeRun | undefined {
    return this.#runs.find((r) => sameIdentity(r.identity, identity));
  }

  #end(run: FakeRun, info: ExitInfo): void {
    run.alive = false;
    run.resolveExit(info);
  }
}

const sameIdentity = (a: ProcessIdentity, b: ProcessIdentity): boolean => a.pid === b.pid && a.startTime === b.startTime;
