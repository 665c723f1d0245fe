// Table-driven tests for the restart maths: every branch of decideRestart and the delay schedule.

import { describe, expect, it } from 'vitest';
import {
  decideRestart,
  describeExit,
  isFailedExit,
  jitterSeed,
  JITTER_FRACTION,
  MIN_LOOP_DELAY_MS,
  RESTART_DELAY_CAP_MS,
  restartDelayMs,
  STABLE_PERIOD_MS,
  type RestartHistory,
} from './restart-policy.js';

const NOW = 1_000_000_000;
const crash = { code: 1, signal: null, known: true };
const clean = { code: 0, signal: null, known: true };
const killed = { code: null, signal: 'SIGKILL', known: true };
const unknown = { code: null, signal: null, known: false };

const history = (over: Partial<RestartHistory> = {}): RestartHistory => ({
  restart_count: 0,
  crash_streak: 0,
  started_at: NOW - 500,
  exit: crash,
  ...over,
});
const policy = (over: Partial<{ restart_policy: 'never' | 'on-failure' | 'always'; max_restarts: number; restart_delay_ms: number }> = {}) => ({
  restart_policy: 'on-failure' as const,
  max_restarts: 0,
  restart_delay_ms: 1000,
  ...over,
});

describe('restart delay schedule', () => {
  it('doubles from the first delay and caps at 30 s: 1, 2, 4, 8, 16, 30, 30 s', () => {
    let streak = 0;
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const decision = decideRestart(policy({ restart_policy: 'always' }), history({ crash_streak: streak, restart_count: i }), NOW);
      if (decision.kind !== 'restart') throw new Error(`expected restart, got ${decision.kind}`);
      delays.push(decision.delayMs);
      streak = decision.crash_streak;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(streak).toBe(7);
  });

  it.each([
    { first: 2000, streak: 0, expected: 2000 },
    { first: 2000, streak: 3, expected: 16000 },
    { first: 2000, streak: 4, expected: RESTART_DELAY_CAP_MS },
    { first: 1000, streak: 1000, expected: RESTART_DELAY_CAP_MS },
    { first: 45_000, streak: 0, expected: 45_000 }, // a first delay above the cap is honoured ...
    { first: 45_000, streak: 5, expected: 45_000 }, // ... and does not grow
    { first: 0, streak: 0, expected: 0 }, // 0 = restart at once ...
    { first: 0, streak: 1, expected: MIN_LOOP_DELAY_MS * 2 }, // ... but a loop still backs off
    { first: 0, streak: 3, expected: MIN_LOOP_DELAY_MS * 8 },
    { first: -5, streak: 0, expected: 0 },
    { first: Number.NaN, streak: 0, expected: 0 },
  ])('first $first ms, streak $streak -> $expected ms', ({ first, streak, expected }) => {
    expect(restartDelayMs(first, streak)).toBe(expected);
  });

  it('jitter is a pure function of (seed, streak), never shortens, and adds under JITTER_FRACTION (5%)', () => {
    for (const name of ['api', 'db', 'worker-1', 'worker-2']) {
      const seed = jitterSeed(name);
      for (let streak = 0; streak < 8; streak++) {
        const exact = restartDelayMs(1000, streak);
        const jittered = restartDelayMs(1000, streak, seed);
        expect(jittered).toBe(restartDelayMs(1000, streak, seed));
        expect(jittered).toBeGreaterThanOrEqual(exact);
        expect(jittered).toBeLessThan(exact * (1 + JITTER_FRACTION));
      }
    }
  });

  it('jitter spreads units that crash together', () => {
    const delays = new Set(Array.from({ length: 100 }, (_, i) => restartDelayMs(1000, 3, jitterSeed(`unit-${i}`))));
    expect(delays.size).toBeGreaterThan(50);
    const decision = decideRestart(policy(), history({ seed: jitterSeed('api') }), NOW);
    expect(decision).toMatchObject({ kind: 'restart', delayMs: restartDelayMs(1000, 0, jitterSeed('api')) });
  });
});

describe('decideRestart', () => {
  it.each([
    { name: 'never: a crash stays stopped', pol: { restart_policy: 'never' as const }, exit: crash, kind: 'stay-stopped', reason: /exited with code 1; restart_policy is never/ },
    { name: 'never: a clean exit stays stopped', pol: { restart_policy: 'never' as const }, exit: clean, kind: 'stay-stopped', reason: /code 0/ },
    { name: 'on-failure: exit 0 stays stopped', pol: {}, exit: clean, kind: 'stay-stopped', reason: /exited with code 0; restart_policy is on-failure/ },
    { name: 'on-failure: exit 1 restarts', pol: {}, exit: crash, kind: 'restart', reason: /exited with code 1; restart 1 in 1000 ms/ },
    { name: 'on-failure: a signal death restarts', pol: {}, exit: killed, kind: 'restart', reason: /killed by SIGKILL/ },
    { name: 'on-failure: an unknown exit (adopted) counts as failure', pol: {}, exit: unknown, kind: 'restart', reason: /exit status unknown/ },
    { name: 'always: exit 0 restarts', pol: { restart_policy: 'always' as const }, exit: clean, kind: 'restart', reason: /exited with code 0/ },
    { name: 'always: exit 1 restarts', pol: { restart_policy: 'always' as const }, exit: crash, kind: 'restart', reason: /code 1/ },
  ])('$name', ({ pol, exit, kind, reason }) => {
    const decision = decideRestart(policy(pol), history({ exit }), NOW);
    expect(decision.kind).toBe(kind);
    expect(decision.reason).toMatch(reason);
  });

  it.each([
    { max: 5, streak: 4, kind: 'restart' },
    { max: 5, streak: 5, kind: 'give-up' },
    { max: 5, streak: 9, kind: 'give-up' },
    { max: 1, streak: 0, kind: 'restart' },
    { max: 1, streak: 1, kind: 'give-up' },
    { max: 0, streak: 10_000, kind: 'restart' }, // 0 = unlimited
  ])('max_restarts $max with $streak restarts in a row -> $kind', ({ max, streak, kind }) => {
    expect(decideRestart(policy({ max_restarts: max }), history({ crash_streak: streak, restart_count: streak }), NOW).kind).toBe(kind);
  });

  it('a crash loop with max_restarts 5 spawns exactly 6 times, then gives up naming the exit code', () => {
    let streak = 0;
    let spawns = 1;
    for (;;) {
      const decision = decideRestart(policy({ max_restarts: 5 }), history({ crash_streak: streak, exit: { code: 3, signal: null, known: true } }), NOW);
      if (decision.kind !== 'restart') {
        expect(decision.kind).toBe('give-up');
        expect(decision.reason).toMatch(/exited with code 3; gave up after 5 restarts in a row \(max_restarts 5/);
        break;
      }
      streak = decision.crash_streak;
      spawns += 1;
    }
    expect(spawns).toBe(6);
  });

  it.each([
    { name: 'uptime of 65 s resets the streak', uptime: 65_000, streak: 4, delay: 1000, next: 1 },
    { name: 'uptime of exactly the stable period resets', uptime: STABLE_PERIOD_MS, streak: 4, delay: 1000, next: 1 },
    { name: 'uptime of 30 s keeps growing (a crash after start-up still counts)', uptime: 30_000, streak: 4, delay: 16_000, next: 5 },
    { name: 'unknown start time keeps growing', uptime: null, streak: 2, delay: 4000, next: 3 },
  ])('$name', ({ uptime, streak, delay, next }) => {
    const started_at = uptime === null ? null : NOW - uptime;
    const decision = decideRestart(policy(), history({ crash_streak: streak, started_at }), NOW);
    expect(decision).toMatchObject({ kind: 'restart', delayMs: delay, crash_streak: next });
  });

  it('a stable run before the crash lets a unit at its max_restarts restart again', () => {
    const decision = decideRestart(policy({ max_restarts: 3 }), history({ crash_streak: 3, started_at: NOW - 2 * STABLE_PERIOD_MS }), NOW);
    expect(decision).toMatchObject({ kind: 'restart', delayMs: 1000, crash_streak: 1 });
  });

  it('a crash after a healthy start inside the stable period still counts toward max_restarts (supervisord#1285)', () => {
    const decision = decideRestart(policy({ max_restarts: 2 }), history({ crash_streak: 2, started_at: NOW - 20_000 }), NOW);
    expect(decision.kind).toBe('give-up');
  });
});

describe('exit helpers', () => {
  it.each([
    { exit: clean, failed: false, text: 'exited with code 0' },
    { exit: crash, failed: true, text: 'exited with code 1' },
    { exit: killed, failed: true, text: 'killed by SIGKILL' },
    { exit: { code: null, signal: 'SIGTERM', known: true }, failed: true, text: 'killed by SIGTERM' },
    { exit: unknown, failed: true, text: 'exit status unknown (it ended while sbx was not watching)' },
    { exit: { code: 0, signal: null, known: false }, failed: true, text: 'exit status unknown (it ended while sbx was not watching)' },
  ])('$text -> failed $failed', ({ exit, failed, text }) => {
    expect(isFailedExit(exit)).toBe(failed);
    expect(describeExit(exit)).toBe(text);
  });

  it('jitterSeed is stable and differs between names', () => {
    expect(jitterSeed('api')).toBe(jitterSeed('api'));
    expect(jitterSeed('api')).not.toBe(jitterSeed('apj'));
  });
});
