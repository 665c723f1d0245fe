// How runtime results fold into a unit's observed state: pure functions from (unit, what happened) to the new unit.

import type { HealthState } from '../runtime/prober.js';
import type { ExitInfo, ProcessIdentity } from '../runtime/process-runner.js';
import { describeExit, type RestartDecision } from './restart-policy.js';
import type { ObservedUnit, StartRecord } from './types.js';

/** A unit the engine has not acted on yet. */
export const blankUnit = (name: string): ObservedUnit => ({
  name,
  phase: 'pending',
  fingerprint: null,
  pid: null,
  start_time: null,
  run_id: null,
  cgroup: null,
  port: null,
  restart_count: 0,
  crash_streak: 0,
  last_exit: null,
  started_at: null,
  ready_at: null,
  backoff_until: null,
  last_error: null,
  health: null,
  tag: null,
  started: null,
  stay_down: false,
});

/**
 * A start was dispatched: the unit installs or starts, already with the fingerprint and start record of the new run
 * (so the planner sees it in sync at once); a retry counts a restart, any other start begins a fresh crash streak.
 */
export const launching = (
  unit: ObservedUnit,
  options: { install: boolean; retry: boolean; fingerprint: string; started: StartRecord },
): ObservedUnit => ({
  ...unit,
  phase: options.install ? 'installing' : 'starting',
  fingerprint: options.fingerprint,
  started: options.started,
  pid: null,
  start_time: null,
  tag: null,
  restart_count: unit.restart_count + (options.retry ? 1 : 0),
  crash_streak: options.retry ? unit.crash_streak : 0,
  backoff_until: null,
  last_error: null,
  stay_down: false,
  health: null,
});

/** The process exists: `ready` at once without a health check, else `running` until the first healthy probe. */
export const spawned = (
  unit: ObservedUnit,
  run: { runId: string; identity: ProcessIdentity; port: number | null; checked: boolean; now: number },
): ObservedUnit => ({
  ...unit,
  phase: run.checked ? 'running' : 'ready',
  pid: run.identity.pid,
  start_time: run.identity.startTime,
  tag: run.identity.tag,
  cgroup: run.identity.cgroup,
  run_id: run.runId,
  port: run.port,
  started_at: run.now,
  ready_at: run.checked ? null : run.now,
});

/** A health report: the first healthy one makes a running unit ready. */
export const healthReported = (unit: ObservedUnit, health: HealthState, now: number): ObservedUnit => {
  const becomesReady = unit.phase === 'running' && health.healthy;
  return { ...unit, health, ...(becomesReady ? { phase: 'ready' as const, ready_at: now } : {}) };
};

/** The run could not start (port, install, spawn): the unit fails with the reason; no restart without a change. */
export const launchFailed = (unit: ObservedUnit, reason: string, exit: ExitInfo | null, now: number): ObservedUnit => ({
  ...unit,
  phase: 'failed',
  pid: null,
  port: null,
  health: null,
  last_error: reason,
  last_exit: exit ? { ...exit, at: now } : unit.last_exit,
});

/** The leader ended on its own (or was killed for failing its health check): apply the restart policy's decision. */
export const exited = (unit: ObservedUnit, exit: ExitInfo, decision: RestartDecision, now: number, cause?: string): ObservedUnit => {
  const base: ObservedUnit = { ...unit, pid: null, port: unit.port, health: null, last_exit: { ...exit, at: now }, ready_at: null };
  const prefix = cause ? `${cause}; ` : '';
  switch (decision.kind) {
    case 'restart':
      return {
        ...base,
        phase: 'backoff',
        backoff_until: now + decision.delayMs,
        crash_streak: decision.crash_streak,
        last_error: prefix + describeExit(exit),
      };
    case 'give-up':
      return { ...base, phase: 'failed', last_error: prefix + decision.reason };
    case 'stay-stopped': {
      const clean = exit.known && exit.code === 0 && exit.signal === null && !cause;
      return { ...base, phase: clean ? 'stopped' : 'failed', stay_down: true, last_error: prefix + decision.reason };
    }
  }
};

/** sbx stopped the unit: no process, port released, nothing to restart on its own. */
export const stoppedBySbx = (unit: ObservedUnit, exit: ExitInfo | null, now: number): ObservedUnit => ({
  ...unit,
  phase: 'stopped',
  pid: null,
  port: null,
  health: null,
  ready_at: null,
  backoff_until: null,
  stay_down: false,
  last_exit: exit ? { ...exit, at: now } : unit.last_exit,
});

/** An explicit start or restart clears what keeps a unit down (failure, a policy stop, a pending backoff). */
export const clearedForStart = (unit: ObservedUnit): ObservedUnit =>
  unit.phase === 'failed' || unit.phase === 'backoff' || unit.stay_down
    ? { ...unit, phase: 'stopped', stay_down: false, backoff_until: null, crash_streak: 0 }
    : unit;
