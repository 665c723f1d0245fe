// Clock, waits and summary statistics shared by every scenario.
// Why: one monotonic clock and one way to summarise runs (median, min, max) for every peer.

import { performance } from 'node:perf_hooks';

/** Why: monotonic milliseconds, immune to wall-clock steps. */
export const now = () => performance.now();

/** Why: a plain pause between steps (settling, idle windows); never used to wait for a condition. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` every `intervalMs` until it returns a non-undefined value or `timeoutMs` passes.
 * Why: every "until all N are alive / gone" wait is a poll with a deadline.
 * @returns {Promise<{value: any, ms: number, timedOut: boolean}>} ms since `since` (default: the call).
 */
export async function pollUntil(check, { intervalMs = 10, timeoutMs = 60_000, since = now() } = {}) {
  const deadline = since + timeoutMs;
  for (;;) {
    const value = await check();
    const t = now();
    if (value !== undefined) return { value, ms: t - since, timedOut: false };
    if (t >= deadline) return { value: undefined, ms: t - since, timedOut: true };
    await sleep(intervalMs);
  }
}

/** Why: median (min–max) is how every figure is reported; null when there is nothing to summarise. */
export function summarize(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}
