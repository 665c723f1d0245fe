// The Engine on this machine: desired model + observed state + the level-triggered loop + the unit supervisor.
// Imperative calls (start, stop, ...) only change the desired model and wait; the planner decides what to do.

import type { DesiredState, OverlaySpec, UnitSpec } from '../manifest/types.js';
import type { HealthMonitor } from '../runtime/health-monitor.js';
import type { LogStore } from '../runtime/log-store.js';
import type { OverlayCopier } from '../runtime/overlay-copier.js';
import type { PortAllocator } from '../runtime/port-allocator.js';
import type { ProcessRunner } from '../runtime/process-runner.js';
import type { Clock } from '../shared/clock.js';
import { faultCountFromHere } from '../shared/fault.js';
import type { Logger } from '../shared/logger.js';
import type { ContainerLauncher } from './container-launcher.js';
import { isConverged, outcome } from './convergence.js';
import { applyManifest, emptyModel, patchUnits, upsertUnit, withDependents, withNeeds } from './desired-model.js';
import { EngineStore, type EngineSnapshot } from './engine-store.js';
import { clearedForStart, stoppedBySbx } from './observed-reducer.js';
import { measureSources, recordSources } from './overlay-sync.js';
import { plan } from './plan.js';
import { Reconciler } from './reconciler.js';
import { restoredModel } from './restore-model.js';
import type { DesiredModel, Engine, EngineEvent, ObservedState, Plan, UnitPhase } from './types.js';
import { UnitSupervisor } from './unit-supervisor.js';

/** What the local engine is built from (the daemon passes real ones, tests the fakes and a ManualClock). */
export interface LocalEngineDeps {
  runner: ProcessRunner;
  logs: LogStore;
  health: HealthMonitor;
  ports: PortAllocator;
  overlays: OverlayCopier;
  clock: Clock;
  logger: Logger;
  /** Actions carried out at once (spawns, installs, copies); default 16. */
  concurrency?: number;
  /** Called after a pass that saw changes, with the state to persist. */
  onChange?: (snapshot: EngineSnapshot) => void;
  project?: string;
  /** Runs `container: true` units (podman/docker); without it they fail with a clear reason. */
  containers?: ContainerLauncher;
}

const UP = new Set<UnitPhase>(['installing', 'starting', 'running', 'ready', 'stopping']);

/** What a plan holds, by unit, reason and blockers (not the message, which may count down). */
const holdsKey = (p: Plan): string => p.holds.map((h) => `${h.kind ?? 'unit'}:${h.unit}:${h.reason}:${h.on.join(',')}`).join('|');

interface Waiter {
  predicate: (snapshot: EngineSnapshot) => boolean;
  resolve: (met: boolean) => void;
  cancel: () => void;
}

/** Runs units on this machine; implements the Engine the daemon's API calls. */
export class LocalEngine implements Engine {
  readonly #store: EngineStore;
  readonly #supervisor: UnitSupervisor;
  readonly #reconciler: Reconciler;
  readonly #deps: LocalEngineDeps;
  readonly #waiters = new Set<Waiter>();
  #changedSinceNotify = false;
  #converged = false;

  constructor(deps: LocalEngineDeps) {
    this.#deps = deps;
    const changed = (): void => {
      this.#changedSinceNotify = true;
      this.#reconciler.trigger();
    };
    this.#store = new EngineStore({ desired: emptyModel(deps.project), clock: deps.clock, logger: deps.logger, changed });
    this.#supervisor = new UnitSupervisor(this.#store, deps, { concurrency: deps.concurrency ?? 16, onSettled: () => this.#reconciler.trigger() });
    this.#reconciler = new Reconciler({
      pass: () => this.#pass(),
      clock: deps.clock,
      onError: (error) => deps.logger.error({ err: error }, 'reconcile pass failed'),
    });
  }

  /** Passes run so far. */
  get passes(): number {
    return this.#reconciler.passes;
  }

  async apply(desired: DesiredState, options: { prune: boolean }): Promise<Plan> {
    faultCountFromHere();
    const sources = await measureSources(this.#store, this.#deps.overlays, Object.values(desired.overlays));
    // From here on synchronous: no pass can run between recording the sources, planning and setting the model.
    recordSources(this.#store, sources);
    const model = applyManifest(this.#store.desired, desired, options);
    const first = plan(model, this.#store.observed(), this.#deps.clock.now());
    this.#store.setDesired(model);
    this.#store.pruneOverlays();
    return first;
  }

  plan(desired: DesiredState, options: { prune: boolean }): Plan {
    return plan(applyManifest(this.#store.desired, desired, options), this.#store.observed(), this.#deps.clock.now());
  }

  /** What apply would do now, with overlay sources measured first (for `sbx diff`: a changed template shows). */
  async preview(desired: DesiredState, options: { prune: boolean }): Promise<Plan> {
    const sources = await measureSources(this.#store, this.#deps.overlays, Object.values(desired.overlays));
    const observed = this.#store.observed();
    for (const [name, digest] of sources) {
      const copy = observed.overlays[name];
      if (copy && copy.status !== 'in_progress') observed.overlays[name] = { ...copy, source_digest: digest };
    }
    return plan(applyManifest(this.#store.desired, desired, options), observed, this.#deps.clock.now());
  }

  /** Creates or replaces one unit from the API; `overlays` are the ones it declares inline (a server's `overlay`). */
  upsert(spec: UnitSpec, options: { enabled?: boolean; overlays?: OverlaySpec[] } = {}): void {
    this.#store.setDesired(upsertUnit(this.#store.desired, spec, options.enabled, options.overlays));
  }

  async start(name: string, timeoutMs = START_WAIT_MS): Promise<void> {
    this.#require(name);
    this.#enableWithNeeds(name);
    await this.waitFor((s) => unitSettled(s, name), timeoutMs);
  }

  async stop(name: string): Promise<void> {
    this.#require(name);
    const names = withDependents(this.#store.desired, name);
    this.#store.setDesired(patchUnits(this.#store.desired, names, { enabled: false, restart_requested: false }));
    this.#settleDown(names);
    await this.waitFor((s) => names.every((n) => !UP.has(s.observed.units[n]?.phase ?? 'pending')));
  }

  async restart(name: string, timeoutMs = START_WAIT_MS): Promise<void> {
    this.#require(name);
    this.#enableWithNeeds(name);
    this.#store.setDesired(patchUnits(this.#store.desired, [name], { restart_requested: true }));
    await this.waitFor((s) => !s.desired.units[name]?.restart_requested && unitSettled(s, name), timeoutMs);
  }

  async remove(name: string): Promise<void> {
    this.#require(name);
    this.#store.setDesired(patchUnits(this.#store.desired, [name], { removal: 'removed' }));
    await this.waitFor((s) => !s.desired.units[name] && !s.observed.units[name]);
  }

  async stopAll(options: { clear: boolean }): Promise<void> {
    const names = Object.keys(this.#store.desired.units);
    const hadContainers = hasContainerUnits(this.#store.desired);
    const patch = options.clear ? { enabled: false, removal: 'removed (clear)' } : { enabled: false, restart_requested: false };
    this.#store.setDesired(patchUnits(this.#store.desired, names, patch));
    this.#settleDown(names);
    await this.waitFor((s) =>
      options.clear ? Object.keys(s.observed.units).length === 0 && Object.keys(s.desired.units).length === 0 : Object.values(s.observed.units).every((u) => !UP.has(u.phase)),
    );
    // Every unit is down: a container still there (its CLI died, or it was being created) is a leftover.
    if (hadContainers && this.#deps.containers) {
      const removed = await this.#deps.containers.removeAll().catch((error: unknown) => {
        this.#deps.logger.warn({ err: error }, 'could not remove the project’s leftover containers');
        return [];
      });
      if (removed.length > 0) this.#deps.logger.info({ containers: removed }, 'removed leftover containers');
    }
  }

  /**
   * Converges to a checkpoint in one step: `model` becomes the desired state, its `running` units enabled (failed or
   * exited ones may start again; a changed fingerprint restarts), its other units disabled, units it lacks deleted.
   * Resolves true once the project settled (every unit ready, failed, held for good or down), false after timeoutMs.
   */
  restore(model: DesiredModel, running: ReadonlySet<string>, options: { timeoutMs?: number; reason?: string } = {}): Promise<boolean> {
    const next = restoredModel(this.#store.desired, model, running, options.reason ?? 'not in the checkpoint');
    for (const name of running) if (next.units[name] && this.#store.hasUnit(name)) this.#store.updateUnit(name, clearedForStart);
    this.#store.setDesired(next);
    this.#store.pruneOverlays();
    return this.whenSettled(options.timeoutMs);
  }

  snapshot(): EngineSnapshot & { busy: boolean } {
    const busy = this.#reconciler.busy || this.#supervisor.active || this.#store.lastPlan.actions.length > 0;
    return { ...this.#store.snapshot(), busy };
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    return this.#store.subscribe(listener);
  }

  /**
   * Takes over from an earlier daemon: the saved desired model, and each unit that was running re-attached by
   * (pid, start time, tag) and its log reading resumed. A unit whose process is gone counts as exited with an unknown
   * status and follows its restart policy. Nothing is started here; the first pass decides.
   */
  async adopt(saved: { desired: DesiredModel; observed: ObservedState }): Promise<{ adopted: string[]; lost: string[] }> {
    this.#store.desired = saved.desired;
    this.#store.loadObserved(saved.observed);
    // A copy the previous daemon was making when it died never completes by itself: make it again (found by S9).
    for (const copy of Object.values(saved.observed.overlays)) if (copy.status === 'in_progress') this.#store.setOverlay({ ...copy, status: 'pending' });
    const adopted: string[] = [];
    const lost: string[] = [];
    for (const [name, unit] of Object.entries(saved.observed.units).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!UP.has(unit.phase)) continue;
      if (await this.#supervisor.adopt(name)) adopted.push(name);
      else {
        lost.push(name);
        this.#supervisor.markLost(name);
      }
    }
    await this.#sweepStrays(adopted);
    this.#reconciler.trigger();
    if (hasContainerUnits(saved.desired)) this.#sweepContainers();
    return { adopted, lost };
  }

  /**
   * Stops runs of this project that the previous daemon spawned but never recorded (it died between the spawn and the
   * state write): otherwise the first pass would start those units a second time. Done before that pass.
   */
  async #sweepStrays(adopted: readonly string[]): Promise<void> {
    const { runner, logger } = this.#deps;
    if (!runner.sweep) return;
    const keep = adopted.flatMap((name) => {
      const unit = this.#store.unit(name);
      return unit.pid !== null && unit.start_time !== null ? [{ pid: unit.pid, startTime: unit.start_time, tag: unit.tag ?? '', cgroup: unit.cgroup }] : [];
    });
    try {
      const swept = await runner.sweep(keep);
      if (swept.length > 0) logger.warn({ runs: swept }, 'stopped runs the previous daemon started but never recorded');
    } catch (error) {
      logger.warn({ err: error }, 'could not look for unrecorded runs');
    }
  }

  /** Removes, in the background, containers of runs no one holds any more (their CLI died with the previous daemon). */
  #sweepContainers(): void {
    const { containers, logger } = this.#deps;
    if (!containers) return;
    void containers.removeStale(this.#supervisor.liveRunIds()).then(
      (removed) => removed.length > 0 && logger.info({ containers: removed }, 'removed containers of runs that are gone'),
      (error: unknown) => logger.warn({ err: error }, 'could not look for stale containers'),
    );
  }

  /** Resolves true once predicate holds for the engine's state (checked after every pass), false after timeoutMs. */
  waitFor(predicate: (snapshot: EngineSnapshot) => boolean, timeoutMs?: number): Promise<boolean> {
    if (!this.#reconciler.busy && predicate(this.#store.snapshot())) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancelTimer = timeoutMs === undefined ? () => undefined : this.#deps.clock.setTimer(timeoutMs, () => finish(false));
      const waiter: Waiter = { predicate, resolve: (met) => finish(met), cancel: cancelTimer };
      const finish = (met: boolean): void => {
        if (!this.#waiters.delete(waiter)) return;
        cancelTimer();
        resolve(met);
      };
      this.#waiters.add(waiter);
      void this.#reconciler.idle().then(() => this.#checkWaiters());
    });
  }

  /** Resolves true once the project converged (every unit ready, failed or held for good; nothing in flight). */
  whenSettled(timeoutMs?: number): Promise<boolean> {
    return this.waitFor(() => this.#converged, timeoutMs);
  }

  /** Resolves once no pass is due and no action is in flight, except installs waiting for their process (tests step with this). */
  async idle(): Promise<void> {
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    do {
      await tick();
      await this.#reconciler.idle();
      await this.#supervisor.idle();
      await tick();
    } while (this.#reconciler.busy || this.#supervisor.busy);
  }

  /** Stops reacting (the daemon is shutting down); units keep running for the next daemon to adopt. */
  close(): void {
    this.#reconciler.close();
    this.#supervisor.detachAll();
    for (const waiter of [...this.#waiters]) waiter.resolve(false);
  }

  #pass(): number | null {
    const now = this.#deps.clock.now();
    const next = plan(this.#store.desired, this.#store.observed(), now);
    const holdsChanged = holdsKey(next) !== holdsKey(this.#store.lastPlan);
    this.#store.setPlan(next);
    // A pass with no action still says when a hold changes (e.g. waiting-for-needs becomes dependency-failed).
    if (holdsChanged && next.actions.length === 0) this.#store.emit({ type: 'plan', at: now, plan: next });
    if (next.actions.length > 0) {
      this.#store.emit({ type: 'plan', at: now, plan: next });
      for (const action of next.actions) this.#supervisor.dispatch(action);
    }
    this.#afterPass(next);
    return next.recheckAt;
  }

  #afterPass(last: Plan): void {
    const snapshot = this.#store.snapshot();
    const converged = !this.#supervisor.active && last.actions.length === 0 && isConverged(snapshot.desired, snapshot.observed, last);
    if (converged && !this.#converged) this.#store.emit({ type: 'converged', at: this.#deps.clock.now(), ...outcome(snapshot.desired, snapshot.observed) });
    this.#converged = converged;
    if (this.#changedSinceNotify && this.#deps.onChange) {
      this.#changedSinceNotify = false;
      this.#deps.onChange(snapshot);
    }
    this.#checkWaiters(snapshot);
  }

  #checkWaiters(snapshot = this.#store.snapshot()): void {
    for (const waiter of [...this.#waiters]) if (waiter.predicate(snapshot)) waiter.resolve(true);
  }

  #require(name: string): void {
    if (!this.#store.desired.units[name]) throw new Error(`no unit named "${name}"`);
  }

  /** Enables a unit and what it needs, and lets failed or exited ones among them try again. */
  #enableWithNeeds(name: string): void {
    const names = withNeeds(this.#store.desired, name);
    for (const unit of names) if (this.#store.hasUnit(unit)) this.#store.updateUnit(unit, clearedForStart);
    this.#store.setDesired(patchUnits(this.#store.desired, names, { enabled: true }));
  }

  /** Units that are down but not "stopped" (backoff, failed, exited) read as stopped after an explicit stop. */
  #settleDown(names: string[]): void {
    for (const name of names) {
      const unit = this.#store.hasUnit(name) ? this.#store.unit(name) : null;
      if (unit && !UP.has(unit.phase) && unit.phase !== 'stopped' && unit.phase !== 'pending') {
        this.#store.setUnit(stoppedBySbx(unit, null, this.#deps.clock.now()));
      }
    }
  }
}

/** True when any unit of the model runs in a container (only then is the container runtime asked anything). */
const hasContainerUnits = (model: DesiredModel): boolean => Object.values(model.units).some((unit) => unit.spec.container);

/** How long start and restart wait for a unit to settle by default (as long as `sbx apply` waits). */
export const START_WAIT_MS = 120_000;

/** A unit is settled for `start`: ready, failed, or held for a reason that needs a user action. */
const unitSettled = (snapshot: EngineSnapshot, name: string): boolean => {
  const phase = snapshot.observed.units[name]?.phase;
  if (phase === 'ready' || phase === 'failed') return true;
  return snapshot.holds.some((h) => h.unit === name && h.kind !== 'overlay' && h.terminal === true);
};
