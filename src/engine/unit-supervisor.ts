// Carries out the planner's actions on the runtime and folds what happens (spawned, healthy, exited) into the store.
// Actions are dispatched, not awaited: a start spawns and returns; readiness and exits come back as store changes.

import type { UnitSpec } from '../manifest/types.js';
import type { HealthMonitor } from '../runtime/health-monitor.js';
import type { LogStore } from '../runtime/log-store.js';
import type { OverlayCopier } from '../runtime/overlay-copier.js';
import type { PortAllocator } from '../runtime/port-allocator.js';
import type { HealthState } from '../runtime/prober.js';
import type { ExitInfo, ProcessRunner, RunningProcess, StopOutcome } from '../runtime/process-runner.js';
import type { Logger } from '../shared/logger.js';
import { faultPoint } from '../shared/fault.js';
import { ActionTracker } from './action-tracker.js';
import { stopRunProcesses, type ContainerLauncher } from './container-launcher.js';
import { healthChanged } from './describe-change.js';
import { patchUnits } from './desired-model.js';
import type { EngineStore } from './engine-store.js';
import { healthSchedule } from './health-schedule.js';
import { exited, healthReported, launchFailed, launching, spawned, stoppedBySbx } from './observed-reducer.js';
import { newRunId, startRecord, type Run } from './run.js';
import { syncOverlay } from './overlay-sync.js';
import { decideRestart, describeExit, jitterSeed } from './restart-policy.js';
import type { Action } from './types.js';
import { launchUnit } from './unit-launcher.js';

/** The runtime the supervisor drives. */
export interface SupervisorDeps {
  runner: ProcessRunner;
  logs: LogStore;
  health: HealthMonitor;
  ports: PortAllocator;
  overlays: OverlayCopier;
  logger: Logger;
  /** Runs and stops `container: true` units (see ContainerLauncher). */
  containers?: ContainerLauncher | undefined;
}

/** Runs actions against the runtime, one live run per unit. */
export class UnitSupervisor {
  readonly #store: EngineStore;
  readonly #deps: SupervisorDeps;
  readonly #runs = new Map<string, Run>();
  readonly #actions: ActionTracker;

  constructor(store: EngineStore, deps: SupervisorDeps, options: { concurrency: number; onSettled: () => void }) {
    this.#store = store;
    this.#deps = deps;
    this.#actions = new ActionTracker({ store, logger: deps.logger, concurrency: options.concurrency, onSettled: options.onSettled });
  }

  /** True while an action is still carrying on (installs waiting for their process excepted). */
  get busy(): boolean {
    return this.#actions.busy;
  }

  /** True while any action is in flight. */
  get active(): boolean {
    return this.#actions.active;
  }

  /** Resolves once no action is carrying on. */
  idle(): Promise<void> {
    return this.#actions.idle();
  }

  /** Starts carrying out one action; marks the unit busy at once so the next pass leaves it alone. */
  dispatch(action: Action): void {
    switch (action.type) {
      case 'start':
        return this.#start(action.unit, action.reason, action.retry ?? false);
      case 'restart':
        return this.#stopThen(action, (exit) => this.#start(action.unit, action.reason, false, exit));
      case 'stop':
        return this.#stopThen(action, null);
      case 'delete':
        return this.#stopThen(action, (exit) => this.#forget(action.unit, action.reason, exit));
      case 'update':
        return this.#update(action.unit, action.reason);
      case 'sync-overlay': {
        const spec = this.#store.desired.overlays[action.overlay];
        if (spec) this.#actions.track(action, () => syncOverlay(this.#store, this.#deps.overlays, spec), true);
        return;
      }
    }
  }

  /** Re-attaches to a run an earlier daemon started; false when its process is gone. */
  async adopt(name: string): Promise<boolean> {
    const unit = this.#store.unit(name);
    if (unit.pid === null || unit.start_time === null || unit.run_id === null) return false;
    const identity = { pid: unit.pid, startTime: unit.start_time, tag: unit.tag ?? '', cgroup: unit.cgroup };
    const process = this.#deps.runner.adopt(identity);
    if (!process) return false;
    await this.#deps.logs.reattach(name, unit.run_id);
    const spec = this.#store.desired.units[name]?.spec ?? unit.started?.spec;
    const run: Run = { runId: unit.run_id, abort: new AbortController(), process, unwatch: null, stopping: false, launch: Promise.resolve(), container: spec?.container ?? false };
    this.#runs.set(name, run);
    void process.exited.then((exit) => this.#onExit(name, run, exit));
    const schedule = spec ? healthSchedule(spec, unit.port) : null;
    if (schedule) run.unwatch = this.#deps.health.watch(name, schedule, (state) => this.#onHealth(name, run, state));
    if (unit.phase === 'stopping' || unit.phase === 'starting' || unit.phase === 'installing') {
      this.#store.setUnit({ ...unit, phase: schedule ? 'running' : 'ready' });
    }
    return true;
  }

  /** Run ids of the runs this supervisor holds (adopted or launched, including launches in flight). */
  liveRunIds(): string[] {
    return [...this.#runs.values()].map((run) => run.runId);
  }

  /** Stops watching health (engine shutdown); processes keep running so a next daemon can adopt them. */
  detachAll(): void {
    for (const run of this.#runs.values()) run.unwatch?.();
  }

  /** Dispatches a launch; `stoppedWith` is the exit of the run a restart just stopped. */
  #start(name: string, reason: string, retry: boolean, stoppedWith?: ExitInfo | null): void {
    const want = this.#store.desired.units[name];
    const now = this.#store.now();
    const before = this.#store.unit(name);
    const settled = stoppedWith === undefined ? before : stoppedBySbx(before, stoppedWith, now);
    if (!want || !want.enabled || want.removal) {
      if (settled !== before) this.#store.setUnit(settled);
      return;
    }
    if (want.restart_requested) this.#store.setDesired(patchUnits(this.#store.desired, [name], { restart_requested: false }));
    const { spec } = want;
    const record = startRecord(spec, this.#store.observed(), this.#store.desired);
    const install = spec.install !== null;
    this.#store.setUnit(launching(settled, { install, retry, fingerprint: record.fingerprint, started: record.started }), reason);
    const run: Run = { runId: newRunId(), abort: new AbortController(), process: null, unwatch: null, stopping: false, launch: Promise.resolve(), container: spec.container };
    this.#runs.set(name, run);
    run.launch = this.#actions.track({ type: 'start', unit: name, reason }, () => this.#launch(name, spec, run, record.refs), true);
  }

  async #launch(name: string, spec: UnitSpec, run: Run, refs: Record<string, string>): Promise<void> {
    const current = (): boolean => this.#runs.get(name) === run && !run.stopping;
    const outcome = await launchUnit(this.#deps, {
      spec,
      runId: run.runId,
      refs,
      previousPort: this.#store.unit(name).port,
      signal: run.abort.signal,
      onInstalled: () => current() && this.#store.updateUnit(name, (unit) => ({ ...unit, phase: 'starting' })),
      onWaiting: (waiting) => this.#actions.waiting(waiting),
    });
    if (outcome.kind === 'spawned') run.process = outcome.process;
    if (!current() || outcome.kind === 'aborted') return;
    if (outcome.kind === 'failed') {
      this.#runs.delete(name);
      this.#deps.logs.note(name, 'stderr', `sbx: ${outcome.reason}`);
      this.#store.updateUnit(name, (unit) => launchFailed(unit, outcome.reason, outcome.exit, this.#store.now()));
      return;
    }
    const schedule = healthSchedule(spec, outcome.port);
    const { identity } = outcome.process;
    this.#store.updateUnit(name, (unit) =>
      spawned(unit, { runId: run.runId, identity, port: outcome.port, checked: schedule !== null, now: this.#store.now() }),
    );
    void outcome.process.exited.then((exit) => this.#onExit(name, run, exit));
    if (schedule) run.unwatch = this.#deps.health.watch(name, schedule, (state) => this.#onHealth(name, run, state));
    if (schedule) faultPoint('health-wait');
  }

  #onHealth(name: string, run: Run, health: HealthState): void {
    if (this.#runs.get(name) !== run || run.stopping || run.liveness) return;
    const before = this.#store.unit(name);
    if (before.health?.status !== health.status) this.#store.emit({ type: 'unit-health', at: this.#store.now(), unit: name, health });
    this.#store.setUnit(healthReported(before, health, this.#store.now()));
    if (before.phase !== 'ready' || health.status !== 'unhealthy' || !run.process) return;
    // Liveness: a ready unit that lost its health is killed and handled like a crash (restart policy decides).
    run.liveness = `health check failed: ${health.last_error ?? 'unhealthy'}`;
    run.unwatch?.();
    run.unwatch = null;
    this.#store.updateUnit(name, (unit) => ({ ...unit, phase: 'stopping' }), run.liveness);
    const timeout = this.#specOf(name)?.stop_timeout_ms ?? 10_000;
    void this.#stopProcesses(name, run, run.process, timeout).catch((error) => this.#deps.logger.warn({ err: error, unit: name }, 'liveness stop failed'));
  }

  #onExit(name: string, run: Run, exit: ExitInfo): void {
    if (this.#runs.get(name) !== run || run.stopping) return;
    run.unwatch?.();
    run.unwatch = null;
    this.#store.updateUnit(name, (unit) => ({ ...unit, phase: 'stopping' }), run.liveness ?? describeExit(exit));
    this.#actions.track({ type: 'stop', unit: name, reason: 'clean up after exit' }, async () => {
      const spec = this.#specOf(name);
      if (run.process) await this.#stopProcesses(name, run, run.process, spec?.stop_timeout_ms ?? 10_000).catch(() => undefined);
      this.#deps.ports.release(name);
      if (this.#runs.get(name) === run) this.#runs.delete(name);
      this.#applyExit(name, exit, run.liveness);
    });
  }

  /** A unit whose process ended while no daemon watched it: an exit of unknown status, handled by its restart policy. */
  markLost(name: string): void {
    const unit = this.#store.unit(name);
    if (unit.pid === null) {
      // It was installing or starting when the daemon died: nothing ran yet, so start it again.
      this.#store.setUnit({ ...unit, phase: 'stopped', stay_down: false }, 'start interrupted by a daemon restart');
      return;
    }
    this.#applyExit(name, { code: null, signal: null, known: false });
  }

  /** Folds an unexpected exit into the unit: the restart policy decides backoff, failed or stopped. */
  #applyExit(name: string, exit: ExitInfo, cause?: string): void {
    const unit = this.#store.unit(name);
    const now = this.#store.now();
    const policy = this.#specOf(name) ?? { restart_policy: 'never' as const, max_restarts: 0, restart_delay_ms: 0 };
    // Seeded by the unit's name: units that crash together restart apart, each on a delay that is the same every time.
    const history = { restart_count: unit.restart_count, crash_streak: unit.crash_streak, started_at: unit.started_at, exit, seed: jitterSeed(name) };
    const decision = decideRestart(policy, history, now);
    this.#store.emit({ type: 'unit-exited', at: now, unit: name, code: exit.code, signal: exit.signal });
    const next = exited(unit, exit, decision, now, cause);
    this.#deps.logs.note(name, 'stderr', `sbx: ${next.last_error ?? describeExit(exit)}`);
    this.#store.setUnit(next);
  }

  /** Marks the unit stopping, then (off the pass) stops its run and frees its port; `next` gets the run's exit. */
  #stopThen(action: Action & { unit: string }, next: ((exit: ExitInfo | null) => void) | null): void {
    const name = action.unit;
    if (this.#store.hasUnit(name)) this.#store.updateUnit(name, (unit) => ({ ...unit, phase: 'stopping' }), action.reason);
    this.#actions.track(action, async () => {
      let exit: ExitInfo | null;
      try {
        exit = await this.#halt(name);
      } catch (error) {
        const reason = `stop failed: ${error instanceof Error ? error.message : String(error)}`;
        this.#store.updateUnit(name, (unit) => ({ ...unit, phase: 'failed', last_error: reason }));
        throw error;
      }
      if (next) return next(exit);
      if (this.#store.hasUnit(name)) this.#store.updateUnit(name, (unit) => stoppedBySbx(unit, exit, this.#store.now()));
    });
  }

  /** Ends a unit's run: abandons a launch, stops watching, stops every process (grace, then SIGKILL), frees the port. */
  async #halt(name: string): Promise<ExitInfo | null> {
    const run = this.#runs.get(name);
    if (!run) {
      this.#deps.ports.release(name);
      return null;
    }
    run.stopping = true;
    run.abort.abort();
    await run.launch.catch(() => undefined);
    run.unwatch?.();
    run.unwatch = null;
    let exit: ExitInfo | null = null;
    if (run.process) {
      await this.#stopProcesses(name, run, run.process, this.#specOf(name)?.stop_timeout_ms ?? 10_000);
      exit = await run.process.exited;
    }
    this.#deps.ports.release(name);
    if (this.#runs.get(name) === run) this.#runs.delete(name);
    return exit;
  }

  /** Completes a delete: forgets the definition and the observed state, and removes the unit's logs. */
  #forget(name: string, reason: string, exit: ExitInfo | null): void {
    const want = this.#store.desired.units[name];
    if (want && !want.removal) {
      // Declared again while it was stopping: keep it, stopped; the next pass starts it.
      if (this.#store.hasUnit(name)) this.#store.updateUnit(name, (unit) => stoppedBySbx(unit, exit, this.#store.now()));
      return;
    }
    if (want) {
      const { [name]: _gone, ...units } = this.#store.desired.units;
      this.#store.setDesired({ ...this.#store.desired, units });
    }
    this.#store.forgetUnit(name, reason);
    void this.#deps.logs.remove(name).catch((error) => this.#deps.logger.warn({ err: error, unit: name }, 'removing logs failed'));
  }

  /** Applies no-restart changes to a running unit: the spec it runs with, and the health watch if its settings moved. */
  #update(name: string, reason: string): void {
    const want = this.#store.desired.units[name];
    const unit = this.#store.unit(name);
    if (!want || !unit.started) return;
    const previous = unit.started.spec;
    let phase = unit.phase;
    const run = this.#runs.get(name);
    if (healthChanged(previous, want.spec) && run?.process && !run.stopping) {
      run.unwatch?.();
      const schedule = healthSchedule(want.spec, unit.port);
      run.unwatch = schedule ? this.#deps.health.watch(name, schedule, (state) => this.#onHealth(name, run, state)) : null;
      if (!schedule && phase === 'running') phase = 'ready';
    }
    this.#store.setUnit({ ...unit, phase, started: { ...unit.started, spec: want.spec } }, reason);
    this.#store.emit({ type: 'action', at: this.#store.now(), action: { type: 'update', unit: name, reason }, outcome: 'done' });
  }

  /** Stops every process of a run (a container run through the container launcher: container first, then its CLI). */
  #stopProcesses(name: string, run: Run, process: RunningProcess, timeoutMs: number): Promise<StopOutcome> {
    return stopRunProcesses(this.#deps, { unit: name, runId: run.runId, container: run.container ?? false, identity: process.identity }, timeoutMs);
  }

  #specOf(name: string): UnitSpec | undefined {
    return this.#store.desired.units[name]?.spec ?? this.#store.unit(name).started?.spec;
  }
}
