// Restart maths as a pure function of (policy, history, now): restart after N ms, stay stopped, or give up.
//
// The shape the trusted systems agree on (kubelet, docker, pm2): the first delay is `restart_delay_ms`, each
// further consecutive crash doubles it up to a cap, and a run that stayed up for the stable period resets the
// streak. A crash counts whenever it happens, not only during start-up (supervisord#487 restarts a process that
// once reached RUNNING immediately and forever). `max_restarts` bounds a crash loop: like pm2's max_restarts it
// counts consecutive restarts without a stable run in between, so a unit that crashes once a day is not given up
// on after a week, while one that keeps dying within the stable period is, after exactly max_restarts restarts.

import type { UnitSpec } from '../manifest/types.js';

/** The delay never grows past this (unless restart_delay_ms itself is larger: the first delay is always honoured). */
export const RESTART_DELAY_CAP_MS = 30_000;
/** A run that stayed up this long resets the crash streak (the next delay is the first one again). */
export const STABLE_PERIOD_MS = 60_000;
/** The growth base when restart_delay_ms is below it (0 = restart at once): a loop still backs off, from 200 ms. */
export const MIN_LOOP_DELAY_MS = 100;
/**
 * With a seed, each delay is lengthened by a deterministic 0..5% so units that crash together restart apart. At most 5%
 * so that a delay stays within 10% of its nominal value even with the time a start takes (S12).
 */
export const JITTER_FRACTION = 0.05;

/** What the policy needs to know about a unit's past. */
export interface RestartHistory {
  /** Restarts performed so far (reported in reasons; the give-up rule uses crash_streak). */
  restart_count: number;
  /** Consecutive crashes before this exit (0 for the first); store the decision's crash_streak back here. */
  crash_streak: number;
  /** When the run that just ended started, or null if unknown. */
  started_at: number | null;
  exit: { code: number | null; signal: string | null; known: boolean };
  /** Optional jitter seed (e.g. jitterSeed(unit name)); absent = exact delays. */
  seed?: number;
}

/** The policy's answer. */
export type RestartDecision =
  | { kind: 'restart'; delayMs: number; crash_streak: number; reason?: string }
  | { kind: 'stay-stopped'; reason: string }
  | { kind: 'give-up'; reason: string };

type Policy = Pick<UnitSpec, 'restart_policy' | 'max_restarts' | 'restart_delay_ms'>;
type Exit = RestartHistory['exit'];

/** Whether an exit is a failure: a non-zero code, a signal death, or an exit sbx could not observe (adopted unit). */
export const isFailedExit = (exit: Exit): boolean => !exit.known || exit.signal !== null || exit.code !== 0;

/** How an exit reads in a reason: `exited with code 1`, `killed by SIGKILL`, `exit status unknown (...)`. */
export const describeExit = (exit: Exit): string => {
  if (!exit.known) return 'exit status unknown (it ended while sbx was not watching)';
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return exit.code === null ? 'exited (no exit code)' : `exited with code ${exit.code}`;
};

/** A stable 32-bit seed from a unit name (FNV-1a), for RestartHistory.seed. */
export const jitterSeed = (name: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
};

/** A number in [0, 1) that depends only on (seed, streak). */
const unitInterval = (seed: number, streak: number): number => {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(streak + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
};

/** The delay before restart number `streak + 1` of a loop: first × 2^streak, capped, plus optional jitter. */
export const restartDelayMs = (firstDelayMs: number, streak: number, seed?: number): number => {
  const first = Number.isFinite(firstDelayMs) ? Math.max(0, firstDelayMs) : 0;
  const ceiling = Math.max(RESTART_DELAY_CAP_MS, first);
  const n = Math.max(0, Math.floor(streak));
  const base = n === 0 ? first : Math.min(ceiling, Math.max(first, MIN_LOOP_DELAY_MS) * 2 ** Math.min(n, 40));
  return seed === undefined ? base : base + Math.floor(base * JITTER_FRACTION * unitInterval(seed, n));
};

/** Decides what follows an unexpected exit (not one sbx caused by stopping the unit). */
export const decideRestart = (policy: Policy, history: RestartHistory, now: number): RestartDecision => {
  const { exit } = history;
  const describe = describeExit(exit);
  if (policy.restart_policy === 'never') return { kind: 'stay-stopped', reason: `${describe}; restart_policy is never` };
  if (policy.restart_policy === 'on-failure' && !isFailedExit(exit)) {
    return { kind: 'stay-stopped', reason: `${describe}; restart_policy is on-failure and a clean exit is not a failure` };
  }
  const stable = history.started_at !== null && now - history.started_at >= STABLE_PERIOD_MS;
  const streak = stable ? 0 : Math.max(0, Math.floor(history.crash_streak));
  if (policy.max_restarts > 0 && streak >= policy.max_restarts) {
    return {
      kind: 'give-up',
      reason:
        `${describe}; gave up after ${streak} restart${streak === 1 ? '' : 's'} in a row ` +
        `(max_restarts ${policy.max_restarts}; none stayed up ${STABLE_PERIOD_MS / 1000} s)`,
    };
  }
  const delayMs = restartDelayMs(policy.restart_delay_ms, streak, history.seed);
  const limit = policy.max_restarts > 0 ? ` of ${policy.max_restarts}` : '';
  return {
    kind: 'restart',
    delayMs,
    crash_streak: streak + 1,
    reason: `${describe}; restart ${streak + 1}${limit} in ${delayMs} ms`,
  };
};
