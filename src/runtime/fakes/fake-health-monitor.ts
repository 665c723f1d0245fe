// An in-memory HealthMonitor for the engine's unit tests: no probes run; the test says what health each unit reports.

import type { HealthMonitor } from '../health-monitor.js';
import { initialHealthState } from '../health-state.js';
import type { HealthSchedule, HealthState } from '../prober.js';

/** One live watch the fake holds. */
export interface FakeWatch {
  unit: string;
  schedule: HealthSchedule;
  onChange: (state: HealthState) => void;
  /** The last state reported to this watch (initially `checking`). */
  state: HealthState;
}

/**
 * Records watch()/stop calls and lets the test drive reports:
 *   monitor.setHealthy('api');                       // status healthy, healthy true
 *   monitor.setUnhealthy('api', 'HTTP 503');         // status unhealthy, consecutive_failures + 1
 *   monitor.report('api', { status: 'checking', consecutive_failures: 2, last_error: 'connection refused' });
 * report() merges the partial into the unit's last state, stamps last_check with `now()`, and calls onChange
 * synchronously. Reporting to a unit that is not watched throws (the engine should have called watch()).
 * Like the real monitor, watching a unit again replaces its previous watch.
 */
export class FakeHealthMonitor implements HealthMonitor {
  /** Every watch() call, oldest first (including stopped ones). */
  readonly watchCalls: { unit: string; schedule: HealthSchedule }[] = [];
  /** Units whose watch was stopped, in order. */
  readonly stopped: string[] = [];
  readonly #live = new Map<string, FakeWatch>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  watch(unit: string, schedule: HealthSchedule, onChange: (state: HealthState) => void): () => void {
    this.#stop(unit, this.#live.get(unit));
    const entry: FakeWatch = { unit, schedule, onChange, state: initialHealthState() };
    this.#live.set(unit, entry);
    this.watchCalls.push({ unit, schedule });
    return () => this.#stop(unit, entry);
  }

  /** Whether the unit has a live watch. */
  isWatching(unit: string): boolean {
    return this.#live.has(unit);
  }

  /** The live watch of a unit, if any. */
  watchOf(unit: string): FakeWatch | undefined {
    return this.#live.get(unit);
  }

  /** Reports a state change for a watched unit (partial fields merged into its last state). */
  report(unit: string, change: Partial<HealthState>): HealthState {
    const entry = this.#live.get(unit);
    if (!entry) throw new Error(`FakeHealthMonitor.report: unit "${unit}" is not being watched`);
    const state: HealthState = { ...entry.state, last_check: this.#now(), ...change };
    entry.state = state;
    entry.onChange(state);
    return state;
  }

  /** Reports the unit healthy. */
  setHealthy(unit: string): HealthState {
    return this.report(unit, { status: 'healthy', healthy: true, last_error: null, consecutive_failures: 0 });
  }

  /** Reports the unit unhealthy with an error (failure count one above the last). */
  setUnhealthy(unit: string, error = 'connection refused'): HealthState {
    const failures = (this.#live.get(unit)?.state.consecutive_failures ?? 0) + 1;
    return this.report(unit, { status: 'unhealthy', healthy: false, last_error: error, consecutive_failures: failures });
  }

  #stop(unit: string, entry: FakeWatch | undefined): void {
    if (!entry || this.#live.get(unit) !== entry) return;
    this.#live.delete(unit);
    this.stopped.push(unit);
  }
}
