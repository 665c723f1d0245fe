// Counts the actions in flight, runs their effects (bounded where it matters) and reports each outcome as an event.

import PQueue from 'p-queue';
import type { Logger } from '../shared/logger.js';
import type { EngineStore } from './engine-store.js';
import type { Action } from './types.js';

/** In-flight bookkeeping for the supervisor: busy/idle for tests and convergence, outcome events for everyone. */
export class ActionTracker {
  readonly #queue: PQueue;
  readonly #inflight = new Set<Promise<void>>();
  readonly #store: EngineStore;
  readonly #logger: Logger;
  readonly #onSettled: () => void;
  /** Actions that only wait for a process to exit (an install): nothing happens until it does. */
  #waiting = 0;
  #wakers: (() => void)[] = [];

  constructor(options: { store: EngineStore; logger: Logger; concurrency: number; onSettled: () => void }) {
    this.#queue = new PQueue({ concurrency: options.concurrency });
    this.#store = options.store;
    this.#logger = options.logger;
    this.#onSettled = options.onSettled;
  }

  /** True while an action is still carrying on (one that only waits for an install to exit does not count). */
  get busy(): boolean {
    return this.#inflight.size > this.#waiting;
  }

  /** True while any action is in flight, installs included. */
  get active(): boolean {
    return this.#inflight.size > 0;
  }

  /** Resolves once every action has finished or only waits for an install to exit. */
  async idle(): Promise<void> {
    while (this.busy) await new Promise<void>((resolve) => this.#wakers.push(resolve));
  }

  /** Marks one in-flight action as only waiting (true) or working again (false). */
  waiting(waiting: boolean): void {
    this.#waiting += waiting ? 1 : -1;
    this.#wake();
  }

  /** Runs an action's effect (in the bounded queue if `queued`: spawns, installs, copies), then reports its outcome. */
  track(action: Action, effect: () => Promise<void>, queued = false): Promise<void> {
    const work = queued ? this.#queue.add(effect).then(() => undefined) : effect();
    const tracked: Promise<void> = work
      .then(
        () => this.#store.emit({ type: 'action', at: this.#store.now(), action, outcome: 'done' }),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.#logger.error({ err: error, action }, 'action failed');
          this.#store.emit({ type: 'action', at: this.#store.now(), action, outcome: 'failed', error: message });
        },
      )
      .finally(() => {
        this.#inflight.delete(tracked);
        this.#wake();
        if (this.#inflight.size === 0) this.#onSettled();
      });
    this.#inflight.add(tracked);
    return tracked;
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }
}
