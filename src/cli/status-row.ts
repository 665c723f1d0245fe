// One line of `sbx status`: what the table shows of a unit, built from its spec, what is observed and its hold.

import type { OverlaySpec, UnitKind, UnitSpec } from '../manifest/types.js';
import type { Hold, ObservedOverlay, ObservedUnit } from '../engine/types.js';
import type { HealthStatus } from '../runtime/prober.js';
import { describeHold } from './render-plan.js';

/** A plain, JSON-friendly row; `status --json` can print these as they are. */
export interface StatusRow {
  name: string;
  kind: UnitKind | 'overlay';
  /** Lifecycle phase (`ready`, `backoff`, ...), `pending` before the first observation, overlay copy status for overlays. */
  status: string;
  pid: number | null;
  port: number | null;
  restarts: number;
  /** null when the unit has no health check. */
  health: HealthStatus | null;
  /** How long it has been in its current run (or since it stopped); null when unknown. */
  age_ms: number | null;
  /** Hold reason or last error, for humans. */
  note: string | null;
  /** The command line (shown by `--wide`). */
  command: string | null;
  /** True when the unit is in the manifest/API desired state (false: observed only, about to be deleted). */
  desired: boolean;
}

/** Phases in which a run is alive: AGE counts from its start. */
const ALIVE_PHASES = new Set(['installing', 'starting', 'running', 'ready', 'stopping']);

const ageOf = (observed: ObservedUnit | null, now: number): number | null => {
  if (!observed) return null;
  if (ALIVE_PHASES.has(observed.phase) && observed.started_at !== null) return Math.max(0, now - observed.started_at);
  if (observed.last_exit) return Math.max(0, now - observed.last_exit.at);
  return null;
};

/** The note column: a hold says why the unit waits; otherwise a failed or backing-off unit says its last error. */
const noteOf = (observed: ObservedUnit | null, hold: Hold | null, desired: boolean): string | null => {
  if (hold) {
    const detail = describeHold(hold);
    return detail === '' ? hold.reason : `${hold.reason}: ${detail}`;
  }
  if (!desired) return 'not in the desired state';
  if (observed && (observed.phase === 'failed' || observed.phase === 'backoff' || observed.phase === 'stopped')) return observed.last_error;
  return null;
};

/** Builds a unit's row; spec is null for a unit only observed (e.g. about to be pruned), observed null before it ran. */
export const toStatusRow = (spec: UnitSpec | null, observed: ObservedUnit | null, hold: Hold | null, now: number): StatusRow => {
  const name = spec?.name ?? observed?.name ?? hold?.unit ?? '?';
  const hasHealthCheck = spec ? spec.health_check !== null || spec.health_port !== null : observed?.health != null;
  return {
    name,
    kind: spec?.kind ?? 'service',
    status: observed?.phase ?? 'pending',
    pid: observed?.pid ?? null,
    port: observed?.port ?? spec?.port ?? null,
    restarts: observed?.restart_count ?? 0,
    health: hasHealthCheck ? (observed?.health?.status ?? null) : null,
    age_ms: ageOf(observed, now),
    note: noteOf(observed, hold, spec !== null),
    command: spec ? (spec.kind === 'server' ? spec.cmd : [spec.cmd, ...spec.args].join(' ')) : null,
    desired: spec !== null,
  };
};

/** Builds an overlay's row: status is its copy status, note its error or what it waits on. */
export const toOverlayStatusRow = (spec: OverlaySpec, observed: ObservedOverlay | null, hold: Hold | null): StatusRow => ({
  name: spec.name,
  kind: 'overlay',
  status: observed?.status ?? 'pending',
  pid: null,
  port: null,
  restarts: 0,
  health: null,
  age_ms: null,
  note: hold ? `${hold.reason}: ${describeHold(hold)}` : (observed?.error ?? null),
  command: `${spec.strategy} ${spec.source} → ${spec.target}`,
  desired: true,
});
