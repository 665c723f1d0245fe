// Coalesces frequent "state changed" pokes into at most one write per window; one write in flight at a time.
//
// Under sustained change (a restart storm: a unit's state moves several times per restart) the next write also waits
// `costFactor` times the previous write's synchronous cost (building the state and serialising it, which grows with
// the number of units and their environments: ~15 ms for 100 units with ~50 variables each). The saver then takes at
// most about 1/(1 + costFactor) of the main thread however large the state (before, writes ran back to back all through
// a storm: one every ~150 ms, over a third of the daemon's CPU, reliability S14), while a small state is still written
// 50 ms after a change. An API call that needs the state on disk before it answers calls flush(), which writes at once
// (it used to wait for the back-to-back writes to end, i.e. for the storm to pause).

import { systemClock, type Clock } from '../shared/clock.js';
import type { SavedState, StateStore } from './types.js';

/** Options of a saver. */
export interface SaverOptions {
  /** Pokes within this window after the first one share one write. */
  delayMs?: number;
  /** After a failed write (ENOSPC, ...), retry after this long; the previous file stays as it was. */
  retryMs?: number;
  /** The next write waits at least this many times the previous write's synchronous cost (default 25). */
  costFactor?: number;
  /** Monotonic milliseconds for measuring that cost (default performance.now). */
  measure?: () => number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

/** Writes `produce()` to the store shortly after each poke, and always on flush. */
export class DebouncedSaver {
  readonly #store: Pick<StateStore, 'write'>;
  readonly #produce: () => SavedState;
  readonly #delayMs: number;
  readonly #retryMs: number;
  readonly #costFactor: number;
  readonly #measure: () => number;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  /** Clock time before which no background write starts (the previous write's cost × costFactor after it). */
  #quietUntil = 0;
  #dirty = false;
  #cancelTimer: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(store: Pick<StateStore, 'write'>, produce: () => SavedState, options: SaverOptions = {}) {
    this.#store = store;
    this.#produce = produce;
    this.#delayMs = options.delayMs ?? 50;
    this.#retryMs = options.retryMs ?? 1_000;
    this.#costFactor = options.costFactor ?? 25;
    this.#measure = options.measure ?? (() => performance.now());
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Marks the state changed; a write follows within the delay (later while the last write's cost is paid back). */
  poke(): void {
    if (this.#closed) return;
    this.#dirty = true;
    this.#schedule(this.#nextDelay());
  }

  /**
   * Writes now if anything changed (whatever the cost pacing), after any write in flight; resolves once the file holds
   * the state as of this call or later.
   */
  async flush(): Promise<void> {
    this.#cancel();
    while (this.#running) await this.#running;
    if (this.#dirty) await this.#run();
  }

  /** Flushes and ignores later pokes (daemon shutdown). */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#cancel();
  }

  #schedule(ms: number): void {
    if (this.#cancelTimer || this.#running) return;
    this.#cancelTimer = this.#clock.setTimer(ms, () => {
      this.#cancelTimer = null;
      void this.#run();
    });
  }

  #cancel(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #run(): Promise<void> {
    if (this.#running) return this.#running;
    if (!this.#dirty) return Promise.resolve();
    const running = this.#write().then((failed) => {
      this.#running = null;
      if (this.#dirty && !this.#closed) this.#schedule(failed ? this.#retryMs : this.#nextDelay());
    });
    this.#running = running;
    return running;
  }

  /** How long until a poke may be written: the debounce window, or longer while the last write's cost is paid back. */
  #nextDelay(): number {
    return Math.max(this.#delayMs, this.#quietUntil - this.#clock.now());
  }

  /** Writes the current state once (a poke during the write schedules the next one); true when the write failed. */
  async #write(): Promise<boolean> {
    this.#dirty = false;
    try {
      const began = this.#measure();
      const written = this.#store.write(this.#produce());
      const cost = Math.max(0, this.#measure() - began);
      await written;
      this.#quietUntil = this.#clock.now() + cost * this.#costFactor;
      return false;
    } catch (error) {
      this.#dirty = true;
      this.#onError(error);
      return true;
    }
  }
}
