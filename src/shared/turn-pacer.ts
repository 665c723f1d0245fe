// One heavy synchronous step per event-loop turn, so the API stays responsive while many units start at once.
//
// `child_process.spawn` forks the daemon synchronously on the main thread: with ~150 MiB resident a fork costs
// 5-30 ms (page tables; more on a loaded machine). In a restart storm dozens of launches become ready in the same
// poll phase, and each ran its fork straight away: one turn then held 10+ forks and an API request waited behind all
// of them (measured: status calls of 0.3-1.1 s during a wave of 100 restarts, reliability S14). Callers await
// nextTurn() right before such a step: the steps then run one per turn (in the check phase, via setImmediate), and the
// poll phase in between serves whatever I/O arrived. Throughput is unchanged (the forks were serial anyway); what an
// API request waits for is at most one step.

let tail: Promise<void> = Promise.resolve();

/**
 * Resolves in a later event-loop turn than the previous caller's step; run the heavy step synchronously right after
 * `await nextTurn()` (no other await in between), or the pacing is lost.
 */
export const nextTurn = (): Promise<void> => {
  const turn = tail.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  tail = turn;
  return turn;
};
