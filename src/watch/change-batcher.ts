// Debounces bursts of file events into one batch: an editor's save is several events, the user wants one reload.

import type { Clock } from '../shared/clock.js';

/** Collects paths and flushes them once, de-duplicated and sorted, after a quiet period. */
export interface ChangeBatcher {
  add(changedPath: string): void;
  /** Drops anything pending without flushing. */
  cancel(): void;
}

/** Options for {@link createChangeBatcher}. */
export interface ChangeBatcherOptions {
  /** Quiet time after the last event before flushing. */
  debounceMs: number;
  /** Longest a batch may wait under a steady stream of events (default 10 × debounceMs). */
  maxWaitMs?: number;
  clock: Clock;
  onFlush: (changed: string[]) => void;
}

/** Trailing debounce with a maximum wait, on an injected clock so tests can drive it. */
export const createChangeBatcher = ({ debounceMs, maxWaitMs = debounceMs * 10, clock, onFlush }: ChangeBatcherOptions): ChangeBatcher => {
  let pending = new Set<string>();
  let firstAt: number | null = null;
  let cancelTimer: (() => void) | null = null;

  const flush = (): void => {
    cancelTimer = null;
    firstAt = null;
    const changed = [...pending].sort();
    pending = new Set();
    if (changed.length > 0) onFlush(changed);
  };

  return {
    add(changedPath) {
      pending.add(changedPath);
      const now = clock.now();
      firstAt ??= now;
      cancelTimer?.();
      const delay = Math.min(debounceMs, Math.max(0, firstAt + maxWaitMs - now));
      cancelTimer = clock.setTimer(delay, flush);
    },
    cancel() {
      cancelTimer?.();
      cancelTimer = null;
      firstAt = null;
      pending = new Set();
    },
  };
};
