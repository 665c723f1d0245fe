// The engine's memory: desired model, observed state, last holds, and the event stream. Every change says "look again".

import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { blankUnit } from './observed-reducer.js';
import type { DesiredModel, EngineEvent, Hold, ObservedOverlay, ObservedState, ObservedUnit, Plan } from './types.js';

/** A consistent copy of what the engine wants and knows. */
export interface EngineSnapshot {
  desired: DesiredModel;
  observed: ObservedState;
  holds: Hold[];
}

/** Holds state for the engine; changes are made only through its methods so that each one triggers a pass. */
export class EngineStore {
  desired: DesiredModel;
  readonly #observed: ObservedState = { units: {}, overlays: {} };
  #lastPlan: Plan = { actions: [], holds: [], recheckAt: null };
  readonly #listeners = new Set<(event: EngineEvent) => void>();
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #changed: () => void;

  constructor(options: { desired: DesiredModel; clock: Clock; logger: Logger; changed: () => void }) {
    this.desired = options.desired;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#changed = options.changed;
  }

  /** Now, by the engine's clock. */
  now(): number {
    return this.#clock.now();
  }

  /** A unit's observed state (a blank one when never observed). */
  unit(name: string): ObservedUnit {
    return this.#observed.units[name] ?? blankUnit(name);
  }

  /** True when the unit has an observed entry. */
  hasUnit(name: string): boolean {
    return name in this.#observed.units;
  }

  /** Replaces a unit's observed state; a phase change becomes an event (with the reason, never env values). */
  setUnit(next: ObservedUnit, reason?: string): void {
    const previous = this.#observed.units[next.name];
    this.#observed.units[next.name] = next;
    if (previous?.phase !== next.phase) {
      const why = reason ?? (next.phase === 'failed' || next.phase === 'backoff' ? (next.last_error ?? undefined) : undefined);
      this.emit({ type: 'unit-phase', at: this.now(), unit: next.name, phase: next.phase, ...(why ? { reason: why } : {}) });
    }
    this.#changed();
  }

  /** Changes a unit's observed state with a function of the current one. */
  updateUnit(name: string, change: (unit: ObservedUnit) => ObservedUnit, reason?: string): void {
    this.setUnit(change(this.unit(name)), reason);
  }

  /** Forgets a unit entirely (after its deletion). */
  forgetUnit(name: string, reason: string): void {
    delete this.#observed.units[name];
    this.emit({ type: 'unit-removed', at: this.now(), unit: name, reason });
    this.#changed();
  }

  /** An overlay's observed state, if any. */
  overlay(name: string): ObservedOverlay | undefined {
    return this.#observed.overlays[name];
  }

  /** Replaces an overlay's observed state; a status change becomes an event. */
  setOverlay(next: ObservedOverlay): void {
    const previous = this.#observed.overlays[next.name];
    this.#observed.overlays[next.name] = next;
    if (previous?.status !== next.status) this.emit({ type: 'overlay', at: this.now(), overlay: next.name, status: next.status });
    this.#changed();
  }

  /** Drops observed overlays that are no longer desired. */
  pruneOverlays(): void {
    for (const name of Object.keys(this.#observed.overlays)) if (!this.desired.overlays[name]) delete this.#observed.overlays[name];
  }

  /** Replaces the desired model. */
  setDesired(desired: DesiredModel): void {
    this.desired = desired;
    this.#changed();
  }

  /** Loads a whole observed state (re-adoption). */
  loadObserved(observed: ObservedState): void {
    Object.assign(this.#observed.units, observed.units);
    Object.assign(this.#observed.overlays, observed.overlays);
    this.#changed();
  }

  /** Records the plan of the latest pass (its holds are what status and `sbx why` show). */
  setPlan(plan: Plan): void {
    this.#lastPlan = plan;
  }

  get lastPlan(): Plan {
    return this.#lastPlan;
  }

  /** The observed state as it is now (shallow copies: the planner may read it while the engine moves on). */
  observed(): ObservedState {
    return { units: { ...this.#observed.units }, overlays: { ...this.#observed.overlays } };
  }

  snapshot(): EngineSnapshot {
    return { desired: this.desired, observed: this.observed(), holds: this.#lastPlan.holds };
  }

  /** Delivers an event to every listener and to the daemon log (a throwing listener does not stop the others). */
  emit(event: EngineEvent): void {
    this.#logger.debug({ event }, 'engine event');
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.warn({ err: error }, 'engine event listener threw');
      }
    }
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
