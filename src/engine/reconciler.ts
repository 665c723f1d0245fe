/*
 * The level-triggered loop. Triggers carry no payload: they only say "look again".
 *
 *   trigger (apply | process exit | probe result | API call | timer at recheckAt)
 *      │
 *      ▼
 *   a pass running? ──yes──▶ mark dirty (any number of triggers = exactly one more pass)
 *      │ no
 *      ▼
 *   ┌─▶ pass: snapshot observed ─▶ plan(desired, observed, now) ─▶ dispatch actions (bounded queue, not awaited:
 *   │         a start spawns and returns; readiness, exits and stops come back later as triggers)
 *   │         ─▶ arm a timer at recheckAt
 *   │      │
 *   └─ dirty? (something changed during the pass)
 *          │ no
 *          ▼
 *        idle ─▶ settled listeners
 *
 * One pass runs at a time, so the planner always sees a consistent snapshot, and a burst of events (500 units
 * becoming ready) costs a handful of passes, not 500. A pass starts in the event loop's next check phase (setImmediate),
 * so the triggers of one loop turn share it.
 */

import type { Clock } from '../shared/clock.js';

/** One pass: look, decide, dispatch; returns when to look again even if nothing happens (or null). */
export type Pass = () => Promise<number | null> | number | null;

/** Runs passes one at a time, collapsing triggers that arrive during a pass into exactly one more pass. */
export class Reconciler {
  readonly #pass: Pass;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  #running = false;
  #dirty = false;
  #passes = 0;
  #cancelTimer: (() => void) | null = null;
  #timerAt: number | null = null;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: { pass: Pass; clock: Clock; onError: (error: unknown) => void }) {
    this.#pass = options.pass;
    this.#clock = options.clock;
    this.#onError = options.onError;
  }

  /** Passes run so far (tests assert that triggers collapse). */
  get passes(): number {
    return this.#passes;
  }

  /** True while a pass runs or one is due. */
  get busy(): boolean {
    return this.#running || this.#dirty;
  }

  /** "Look again": runs a pass soon (never inside the caller's state change), or once more after the current one. */
  trigger(): void {
    if (this.#closed) return;
    this.#dirty = true;
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /** Resolves once no pass is running or due. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops reacting to triggers and timers (a pass in progress finishes). */
  close(): void {
    this.#closed = true;
    this.#dirty = false;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  async #loop(): Promise<void> {
    try {
      // Start in the next check phase of the event loop, not the next microtask: every trigger from this turn's I/O
      // callbacks (exits, spawns, stops completing together) then shares one pass. A pass plans every unit; starting one
      // per callback ran 1.6 times as many passes in a restart storm of 100 units (reliability S14).
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#dirty && !this.#closed) {
        this.#dirty = false;
        this.#passes += 1;
        let recheckAt: number | null = null;
        try {
          recheckAt = await this.#pass();
        } catch (error) {
          this.#onError(error);
        }
        this.#arm(recheckAt);
      }
    } finally {
      this.#running = false;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Keeps one timer, at the earliest time a pass asked to look again. */
  #arm(recheckAt: number | null): void {
    if (recheckAt === null || this.#closed) return;
    if (this.#timerAt !== null && this.#timerAt <= recheckAt && this.#timerAt > this.#clock.now()) return;
    this.#cancelTimer?.();
    this.#timerAt = recheckAt;
    this.#cancelTimer = this.#clock.setTimer(Math.max(0, recheckAt - this.#clock.now()), () => {
      this.#cancelTimer = null;
      this.#timerAt = null;
      this.trigger();
    });
  }
}
