// Table-driven tests for the health state machine: start-up, threshold, recovery.

import { describe, expect, it } from 'vitest';
import { initialHealthState, nextHealthState, UNHEALTHY_THRESHOLD } from './health-state.js';
import type { HealthState } from './prober.js';

const ok = { ok: true, durationMs: 1 };
const fail = (error = 'connection refused') => ({ ok: false, error, durationMs: 1 });

/** Runs a sequence of results ('o' ok, 'x' fail) from the initial state; returns every state. */
const run = (sequence: string, threshold = UNHEALTHY_THRESHOLD): HealthState[] => {
  const states: HealthState[] = [];
  let state = initialHealthState();
  [...sequence].forEach((c, i) => {
    state = nextHealthState(state, c === 'o' ? ok : fail(), 1000 + i, threshold);
    states.push(state);
  });
  return states;
};

describe('nextHealthState', () => {
  it('starts checking, not healthy, never checked', () => {
    expect(initialHealthState()).toEqual({ status: 'checking', healthy: false, last_check: null, last_error: null, consecutive_failures: 0 });
  });

  it.each([
    { seq: 'o', statuses: 'healthy' },
    { seq: 'xxxxx', statuses: 'checking checking checking checking checking' }, // start-up failures never read unhealthy
    { seq: 'xxo', statuses: 'checking checking healthy' },
    { seq: 'oxxo', statuses: 'healthy healthy healthy healthy' }, // 2 failures then a success: 0 flips
    { seq: 'oxxx', statuses: 'healthy healthy healthy unhealthy' }, // the 3rd consecutive failure flips
    { seq: 'oxxxxx', statuses: 'healthy healthy healthy unhealthy unhealthy unhealthy' },
    { seq: 'oxxxo', statuses: 'healthy healthy healthy unhealthy healthy' }, // one success recovers
    { seq: 'oxxoxx', statuses: 'healthy healthy healthy healthy healthy healthy' }, // failures must be consecutive
    { seq: 'oxxxoxx', statuses: 'healthy healthy healthy unhealthy healthy healthy healthy' },
  ])('$seq -> $statuses', ({ seq, statuses }) => {
    const states = run(seq);
    expect(states.map((s) => s.status).join(' ')).toBe(statuses);
    for (const s of states) expect(s.healthy).toBe(s.status === 'healthy');
  });

  it('counts consecutive failures, keeps the last error and the check time, and clears them on success', () => {
    const states = run('oxxo');
    expect(states.map((s) => s.consecutive_failures)).toEqual([0, 1, 2, 0]);
    expect(states.map((s) => s.last_error)).toEqual([null, 'connection refused', 'connection refused', null]);
    expect(states.map((s) => s.last_check)).toEqual([1000, 1001, 1002, 1003]);
  });

  it.each([
    { threshold: 1, seq: 'ox', last: 'unhealthy' },
    { threshold: 2, seq: 'ox', last: 'healthy' },
    { threshold: 2, seq: 'oxx', last: 'unhealthy' },
    { threshold: 0, seq: 'ox', last: 'unhealthy' }, // below 1 behaves as 1
  ])('threshold $threshold: $seq ends $last', ({ threshold, seq, last }) => {
    expect(run(seq, threshold).at(-1)?.status).toBe(last);
  });

  it('a failure without an error text still says something', () => {
    expect(nextHealthState(initialHealthState(), { ok: false, durationMs: 1 }, 5).last_error).toBe('probe failed');
  });
});
