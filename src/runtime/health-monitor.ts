// The contract for watching a unit's health over time: one probe loop per unit, at most one probe in flight.

import type { HealthSchedule, HealthState } from './prober.js';

/** Runs a unit's probe schedule and reports every change of its health state. */
export interface HealthMonitor {
  /** Starts probing (after schedule.delay_ms); returns a function that stops it (an in-flight probe is abandoned). */
  watch(unit: string, schedule: HealthSchedule, onChange: (state: HealthState) => void): () => void;
}
