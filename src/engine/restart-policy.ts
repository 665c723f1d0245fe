// Restart maths as a pure function of (policy, history, now): restart after N ms, stay stopped, or give up.

import type { UnitSpec } from '../manifest/types.js';

/** The delay never grows past this. */
export const RESTART_DELAY_CAP_MS = 30_000;
/** A run that stayed up this long resets the crash streak (the next delay is the first one again). */
export const STABLE_PERIOD_MS = 60_000;

/** What the policy needs to know about a unit's past. */
export interface RestartHistory {
  /** Restarts performed so far. */
  restart_count: number;
  /** Consecutive crashes before this exit (0 for the first). */
  crash_streak: number;
  /** When the run that just ended started, or null if unknown. */
  started_at: number | null;
  exit: { code: number | null; signal: string | null; known: boolean };
}

/** The policy's answer. */
export type RestartDecision =
  | { kind: 'restart'; delayMs: number; crash_streak: number }
  | { kind: 'stay-stopped'; reason: string }
  | { kind: 'give-up'; reason: string };

/** Decides what follows an exit. */
export const decideRestart = (
  policy: Pick<UnitSpec, 'restart_policy' | 'max_restarts' | 'restart_delay_ms'>,
  history: RestartHistory,
  now: number,
): RestartDecision => {
  const { exit } = history;
  const failed = !exit.known || exit.code !== 0 || exit.signal !== null;
  const describe = exit.signal ? `killed by ${exit.signal}` : exit.known ? `exited with code ${exit.code}` : 'exited (status unknown)';
  if (policy.restart_policy === 'never') return { kind: 'stay-stopped', reason: `${describe}; restart_policy is never` };
  if (policy.restart_policy === 'on-failure' && !failed) return { kind: 'stay-stopped', reason: `${describe}; restart_policy is on-failure` };
  if (policy.max_restarts > 0 && history.restart_count >= policy.max_restarts) {
    return { kind: 'give-up', reason: `${describe}; gave up after ${history.restart_count} restarts (max_restarts ${policy.max_restarts})` };
  }
  const stable = history.started_at !== null && now - history.started_at >= STABLE_PERIOD_MS;
  const streak = stable ? 0 : history.crash_streak;
  const delayMs = Math.min(RESTART_DELAY_CAP_MS, Math.max(policy.restart_delay_ms, 0) * 2 ** streak);
  return { kind: 'restart', delayMs: Math.max(delayMs, Math.min(policy.restart_delay_ms, RESTART_DELAY_CAP_MS)), crash_streak: streak + 1 };
};
