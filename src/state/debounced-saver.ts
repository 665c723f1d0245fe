// Coalesces frequent "state changed" pokes into at most one write per window; one write in flight at a time.

import { systemClock, type Clock } from '../shared/clock.js';
import type { SavedState, StateStore } from './types.js';

/** Options of a saver. */
export interface SaverOptions {
  /** Pokes within this window after the first one share one write. */
  delayMs?: number;
  /** After a failed write (ENOSPC, ...), retry after this long; the previous file stays as it was. */
  retryMs?: number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

/** Writes `produce()` to the store shortly after each poke, and always on flush. */
export class DebouncedSaver {
  readonly #store: Pick<StateStore, 'write'>;
  readonly #produce: () => SavedState;
  readonly #delayMs: number;
  readonly #retryMs: number;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  #dirty = false;
  #cancelTimer: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(store: Pick<StateStore, 'write'>, produce: () => SavedState, options: SaverOptions = {}) {
    this.#store = store;
    this.#produce = produce;
    this.#delayMs = options.delayMs ?? 50;
    this.#retryMs = options.retryMs ?? 1_000;
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Marks the state changed; a write follows within the delay. */
  poke(): void {
    if (this.#closed) return;
    this.#dirty = true;
    this.#schedule(this.#delayMs);
  }

  /** Writes now if anything changed, after any write in flight; resolves once the file holds the latest state. */
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
    const running = this.#writeWhileDirty().then((failed) => {
      this.#running = null;
      if (this.#dirty && !this.#closed) this.#schedule(failed ? this.#retryMs : this.#delayMs);
    });
    this.#running = running;
    return running;
  }

  /** Writes until no poke arrived during the last write; true when a write failed. */
  async #writeWhileDirty(): Promise<boolean> {
    while (this.#dirty) {
      this.#dirty = false;
      try {
        await this.#store.write(this.#produce());
      } catch (error) {
        this.#dirty = true;
        this.#onError(error);
        return true;
      }
    }
    return false;
  }
}
