// How probe results turn into a unit's reported health: a pure state machine, so the rule is tested as a table.

import type { HealthState, ProbeResult } from './prober.js';

/**
 * Consecutive failed probes after which a unit that WAS healthy is reported `unhealthy` (the liveness signal the
 * engine acts on). One blip does not flip it: like docker's `retries` and kubelet's `failureThreshold` (both 3).
 */
export const UNHEALTHY_THRESHOLD = 3;

/** A unit's health from the moment it is watched until its first probe answers. */
export const initialHealthState = (): HealthState => ({
  status: 'checking',
  healthy: false,
  last_check: null,
  last_error: null,
  consecutive_failures: 0,
});

/**
 * The state after one probe result. The rule:
 * - a success makes the unit `healthy` at once (one success is enough) and clears the failure count and error;
 * - before the first success (start-up), failures keep it `checking`: a server still booting refuses connections,
 *   and `unhealthy` there would make a liveness restart kill slow starters in a loop; the failure count and
 *   last_error still show what is wrong;
 * - a unit that was healthy stays `healthy` (healthy: true, failures counted) until `threshold` consecutive
 *   failures, then turns `unhealthy`; it stays `unhealthy` until a probe succeeds.
 * So `unhealthy` always means "was healthy, then lost it", and `healthy` is the readiness signal.
 */
export const nextHealthState = (
  previous: HealthState,
  result: ProbeResult,
  at: number,
  threshold: number = UNHEALTHY_THRESHOLD,
): HealthState => {
  if (result.ok) return { status: 'healthy', healthy: true, last_check: at, last_error: null, consecutive_failures: 0 };
  const failures = previous.consecutive_failures + 1;
  const status =
    previous.status === 'checking'
      ? 'checking'
      : previous.status === 'unhealthy' || failures >= Math.max(1, threshold)
        ? 'unhealthy'
        : 'healthy';
  return {
    status,
    healthy: status === 'healthy',
    last_check: at,
    last_error: result.error ?? 'probe failed',
    consecutive_failures: failures,
  };
};
