// An in-memory engine for daemon tests: keeps the desired model, "runs" units by moving their phase (no processes),
// emits events, and re-adopts saved state. Deterministic knobs let tests hold or fail units.

import type { DesiredState, OverlaySpec, UnitSpec } from '../../manifest/types.js';
import type { Action, DesiredModel, EngineEvent, Hold, ObservedState, ObservedUnit, Plan, UnitPhase } from '../../engine/types.js';
import type { DaemonEngine } from '../deps.js';

const emptyObserved = (name: string): ObservedUnit => ({
  name,
  phase: 'pending',
  fingerprint: null,
  pid: null,
  start_time: null,
  run_id: null,
  cgroup: null,
  port: null,
  restart_count: 0,
  crash_streak: 0,
  last_exit: null,
  started_at: null,
  ready_at: null,
  backoff_until: null,
  last_error: null,
  health: null,
});

/** Yields to the event loop (lets concurrent calls interleave, as a real engine's I/O would). */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A fake DaemonEngine. */
export class FakeEngine implements DaemonEngine {
  desired: DesiredModel;
  observed: ObservedState = { units: {}, overlays: {} };
  holds: Hold[] = [];
  /** Units that stay `starting` when started. */
  readonly hold = new Set<string>();
  /** Units that fail when started. */
  readonly failing = new Set<string>();
  /** Names of units taken over from saved state, and every call for assertions. */
  adopted: string[] = [];
  readonly calls: string[] = [];
  #listeners = new Set<(event: EngineEvent) => void>();
  #nextPid = 40_000;
  #run = 0;

  constructor(project = 'test') {
    this.desired = { project, units: {}, overlays: {} };
  }

  async apply(desired: DesiredState, options: { prune: boolean }): Promise<Plan> {
    this.calls.push(`apply ${desired.project}`);
    const plan = this.plan(desired, options);
    this.emit({ type: 'plan', at: Date.now(), plan });
    this.desired.project = desired.project;
    for (const spec of Object.values(desired.units)) {
      const existing = this.desired.units[spec.name];
      this.desired.units[spec.name] = { spec, enabled: existing?.enabled ?? true, owner: existing?.owner === 'api' ? 'api' : 'manifest' };
      await tick();
    }
    for (const action of plan.actions) {
      if (action.type === 'delete') this.#forget(action.unit);
    }
    for (const action of plan.actions) {
      if (action.type === 'start' || action.type === 'restart') this.#launch(action.unit, action.type === 'restart');
    }
    return plan;
  }

  plan(desired: DesiredState, options: { prune: boolean }): Plan {
    const actions: Action[] = [];
    for (const spec of Object.values(desired.units).sort((a, b) => a.name.localeCompare(b.name))) {
      const seen = this.observed.units[spec.name];
      if (!seen || seen.phase === 'stopped' || seen.phase === 'pending') actions.push({ type: 'start', unit: spec.name, reason: 'new' });
      else if (seen.fingerprint !== spec.fingerprint) actions.push({ type: 'restart', unit: spec.name, reason: 'spec changed' });
    }
    if (options.prune) {
      for (const [name, unit] of Object.entries(this.desired.units)) {
        if (unit.owner === 'manifest' && !desired.units[name]) actions.push({ type: 'delete', unit: name, reason: 'not in manifest' });
      }
    }
    return { actions, holds: [], recheckAt: null };
  }

  upsert(spec: UnitSpec, options: { enabled?: boolean; overlays?: OverlaySpec[] } = {}): void {
    this.calls.push(`upsert ${spec.name}`);
    const existing = this.desired.units[spec.name];
    this.desired.units[spec.name] = { spec, enabled: options.enabled ?? existing?.enabled ?? true, owner: existing?.owner ?? 'api' };
    for (const overlay of options.overlays ?? []) this.desired.overlays[overlay.name] = overlay;
  }

  async start(name: string): Promise<void> {
    this.calls.push(`start ${name}`);
    const unit = this.desired.units[name];
    if (!unit) throw new Error(`fake engine: no unit ${name}`);
    for (const need of unit.spec.needs) if (this.desired.units[need.name] && !this.desired.units[need.name]?.enabled) await this.start(need.name);
    unit.enabled = true;
    const phase = this.observed.units[name]?.phase;
    if (phase !== 'ready' && phase !== 'starting') this.#launch(name, false);
  }

  async stop(name: string): Promise<void> {
    this.calls.push(`stop ${name}`);
    const unit = this.desired.units[name];
    if (unit) unit.enabled = false;
    this.#setPhase(name, 'stopped', { pid: null });
  }

  async restart(name: string): Promise<void> {
    this.calls.push(`restart ${name}`);
    const unit = this.desired.units[name];
    if (unit) unit.enabled = true;
    this.#launch(name, true);
  }

  async remove(name: string): Promise<void> {
    this.calls.push(`remove ${name}`);
    this.#setPhase(name, 'stopped', { pid: null });
    this.#forget(name);
  }

  snapshot(): { desired: DesiredModel; observed: ObservedState; holds: Hold[] } {
    return structuredClone({ desired: this.desired, observed: this.observed, holds: this.holds });
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stopAll(options: { clear: boolean }): Promise<void> {
    this.calls.push(`stopAll clear=${options.clear}`);
    for (const name of Object.keys(this.observed.units).sort().reverse()) {
      const unit = this.desired.units[name];
      if (unit) unit.enabled = false;
      this.#setPhase(name, 'stopped', { pid: null });
    }
  }

  async adopt(saved: { desired: DesiredModel; observed: ObservedState }): Promise<{ adopted: string[] }> {
    this.desired = structuredClone(saved.desired);
    this.observed = structuredClone(saved.observed);
    this.adopted = Object.values(saved.observed.units)
      .filter((u) => u.pid !== null)
      .map((u) => u.name);
    return { adopted: this.adopted };
  }

  /** Moves a unit to a phase and emits the event (tests drive failures and readiness with it). */
  setPhase(name: string, phase: UnitPhase, reason?: string): void {
    this.#setPhase(name, phase, {}, reason);
  }

  emit(event: EngineEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  #launch(name: string, restart: boolean): void {
    const spec = this.desired.units[name]?.spec;
    if (!spec) return;
    const before = this.observed.units[name];
    this.#setPhase(name, 'starting', {
      pid: this.#nextPid++,
      start_time: 1000 + this.#run,
      run_id: `run-${++this.#run}`,
      fingerprint: spec.fingerprint,
      port: spec.port,
      started_at: Date.now(),
      restart_count: (before?.restart_count ?? 0) + (restart ? 1 : 0),
    });
    if (this.hold.has(name)) return;
    setImmediate(() => {
      if (this.observed.units[name]?.phase !== 'starting') return;
      if (this.failing.has(name)) this.#setPhase(name, 'failed', { pid: null, last_exit: { code: 1, signal: null, known: true, at: Date.now() } }, 'exited with code 1');
      else this.#setPhase(name, 'ready', { ready_at: Date.now() });
    });
  }

  #setPhase(name: string, phase: UnitPhase, patch: Partial<ObservedUnit>, reason?: string): void {
    const unit = { ...(this.observed.units[name] ?? emptyObserved(name)), ...patch, phase };
    this.observed.units[name] = unit;
    this.emit({ type: 'unit-phase', at: Date.now(), unit: name, phase, ...(reason ? { reason } : {}) });
  }

  #forget(name: string): void {
    delete this.desired.units[name];
    delete this.observed.units[name];
  }
}
