// The contract for health probes: one probe, bounded by its timeout, never left running.

/** What to probe. */
export type ProbeTarget = { kind: 'tcp'; host: string; port: number } | { kind: 'http'; url: string };

/** One probe's outcome. */
export interface ProbeResult {
  ok: boolean;
  /** Why it failed (refused, timeout after 1500 ms, HTTP 503, ...). */
  error?: string;
  durationMs: number;
}

/** Runs a single probe; must settle within timeoutMs and leave no socket open. */
export interface Prober {
  /** Never rejects. An aborted `signal` (optional) settles the probe at once with error `aborted` and closes its socket. */
  probe(target: ProbeTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult>;
}

export type HealthStatus = 'checking' | 'healthy' | 'unhealthy';

/** A unit's health as reported by the API (seed vocabulary). */
export interface HealthState {
  status: HealthStatus;
  healthy: boolean;
  last_check: number | null;
  last_error: string | null;
  consecutive_failures: number;
}

/** Probe schedule for one unit. */
export interface HealthSchedule {
  target: ProbeTarget;
  interval_ms: number;
  timeout_ms: number;
  delay_ms: number;
}
