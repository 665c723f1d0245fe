// Records a watcher's callbacks and lets a test await the nth one (with a deadline) instead of sleeping.

/** What a test holds: every batch so far, and a promise for the next ones. */
export interface ChangeRecorder {
  calls: string[][];
  onChange: (changed: string[]) => void;
  /** Resolves with calls once there are at least `count` of them; rejects after timeoutMs. */
  waitForCalls(count: number, timeoutMs?: number): Promise<string[][]>;
}

/** Builds a recorder to pass as `onChange`. */
export const createChangeRecorder = (): ChangeRecorder => {
  const calls: string[][] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  return {
    calls,
    onChange(changed) {
      calls.push(changed);
      const due = waiters.filter((waiter) => calls.length >= waiter.count);
      waiters = waiters.filter((waiter) => calls.length < waiter.count);
      for (const waiter of due) waiter.resolve();
    },
    waitForCalls(count, timeoutMs = 5_000) {
      if (calls.length >= count) return Promise.resolve(calls);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} change callback(s) within ${timeoutMs} ms; got ${JSON.stringify(calls)}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(calls);
          },
        });
      });
    },
  };
};
