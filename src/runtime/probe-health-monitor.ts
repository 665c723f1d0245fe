// Watches units' health: one self-scheduling probe loop per unit (never setInterval), at most one probe in flight.

import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { HealthMonitor } from './health-monitor.js';
import { initialHealthState, nextHealthState, UNHEALTHY_THRESHOLD } from './health-state.js';
import type { HealthSchedule, HealthState, ProbeResult, Prober } from './prober.js';

export { UNHEALTHY_THRESHOLD, initialHealthState } from './health-state.js';

/** What the monitor needs from outside: how to probe, what time it is, and where to log a failing listener. */
export interface ProbeHealthMonitorOptions {
  prober: Prober;
  clock?: Clock;
  /** Consecutive failures before a healthy unit turns unhealthy (default UNHEALTHY_THRESHOLD). */
  unhealthyThreshold?: number;
  logger?: Logger;
}

/**
 * The daemon's HealthMonitor. Per watched unit: wait delay_ms, probe, wait interval_ms counted from the END of that
 * probe, probe again. The next probe is only scheduled once the previous one settled, so two are never in flight.
 * onChange is called after every probe result (last_check moves each time; compare `status` for transitions), never
 * synchronously from watch(): until the first result a unit's state is `initialHealthState()` (`checking`).
 * Watching a unit that is already watched replaces the old loop. The stop function cancels the pending timer and
 * aborts an in-flight probe (its socket closes at once; its late result is ignored).
 */
export class ProbeHealthMonitor implements HealthMonitor {
  readonly #prober: Prober;
  readonly #clock: Clock;
  readonly #threshold: number;
  readonly #logger: Logger;
  readonly #stops = new Map<string, () => void>();

  constructor(options: ProbeHealthMonitorOptions) {
    this.#prober = options.prober;
    this.#clock = options.clock ?? systemClock;
    this.#threshold = options.unhealthyThreshold ?? UNHEALTHY_THRESHOLD;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Starts the unit's probe loop; returns its stop function. */
  watch(unit: string, schedule: HealthSchedule, onChange: (state: HealthState) => void): () => void {
    this.#stops.get(unit)?.();
    let stopped = false;
    let cancelTimer: (() => void) | null = null;
    let inFlight: AbortController | null = null;
    let state = initialHealthState();

    const runProbe = async (): Promise<void> => {
      const controller = new AbortController();
      inFlight = controller;
      let result: ProbeResult;
      try {
        result = await this.#prober.probe(schedule.target, schedule.timeout_ms, controller.signal);
      } catch (error) {
        // The contract says probes never reject; a buggy prober still must not kill the loop.
        result = { ok: false, error: error instanceof Error ? error.message : String(error), durationMs: 0 };
      }
      if (stopped || inFlight !== controller) return;
      inFlight = null;
      state = nextHealthState(state, result, this.#clock.now(), this.#threshold);
      try {
        onChange(state);
      } catch (error) {
        this.#logger.error({ unit, err: error }, 'health listener threw; probing continues');
      }
      if (!stopped) scheduleProbe(schedule.interval_ms);
    };

    const scheduleProbe = (ms: number): void => {
      cancelTimer = this.#clock.setTimer(ms, () => {
        cancelTimer = null;
        void runProbe();
      });
    };

    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      cancelTimer?.();
      cancelTimer = null;
      inFlight?.abort();
      inFlight = null;
      if (this.#stops.get(unit) === stop) this.#stops.delete(unit);
    };

    this.#stops.set(unit, stop);
    scheduleProbe(schedule.delay_ms);
    return stop;
  }

  /** Units with a live probe loop. */
  watching(): string[] {
    return [...this.#stops.keys()];
  }

  /** Stops every loop (daemon shutdown). */
  stopAll(): void {
    for (const stop of [...this.#stops.values()]) stop();
  }
}
