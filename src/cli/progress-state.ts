// What `sbx apply` knows while units come up, folded from EngineEvents; pure, so the live view and plain lines agree.

import type { EngineEvent } from '../engine/types.js';
import { describeExit } from '../engine/restart-policy.js';
import { describeHold } from './render-plan.js';

/** One unit (or overlay) as the progress view shows it. */
export interface ProgressEntry {
  name: string;
  kind: 'unit' | 'overlay';
  /** Phase for units, copy status for overlays, `deleted` once removed; null until the first event. */
  status: string | null;
  /** When the current attempt began (first installing/starting after a stop or a crash). */
  attemptStartedAt: number | null;
  /** Time from the attempt's start to ready, once ready. */
  readyAfterMs: number | null;
  /** The current hold, e.g. `waiting-for-needs: api`; cleared when a later plan no longer holds it. */
  hold: string | null;
  /** Last exit, failure reason or action error. */
  error: string | null;
}

/** The whole view: entries in first-seen order. */
export interface ProgressState {
  startedAt: number;
  entries: Record<string, ProgressEntry>;
  order: string[];
}

const ATTEMPT_PHASES = new Set(['installing', 'starting']);

const keyOf = (kind: ProgressEntry['kind'], name: string): string => (kind === 'overlay' ? `overlay:${name}` : name);

const blankEntry = (kind: ProgressEntry['kind'], name: string): ProgressEntry => ({
  name,
  kind,
  status: null,
  attemptStartedAt: null,
  readyAfterMs: null,
  hold: null,
  error: null,
});

/** Starts a view over the units an apply expects (more are added as events name them). */
export const createProgress = (units: readonly string[], now: number): ProgressState => ({
  startedAt: now,
  entries: Object.fromEntries(units.map((name) => [name, blankEntry('unit', name)])),
  order: [...new Set(units)],
});

/** Returns state with one entry replaced (created when missing). */
const withEntry = (
  state: ProgressState,
  kind: ProgressEntry['kind'],
  name: string,
  change: (entry: ProgressEntry) => Partial<ProgressEntry>,
): ProgressState => {
  const key = keyOf(kind, name);
  const current = state.entries[key] ?? blankEntry(kind, name);
  return {
    ...state,
    entries: { ...state.entries, [key]: { ...current, ...change(current) } },
    order: state.order.includes(key) ? state.order : [...state.order, key],
  };
};

/** Applies one event; events for names not seen yet add entries. */
export const foldProgress = (state: ProgressState, event: EngineEvent): ProgressState => {
  switch (event.type) {
    case 'plan': {
      // One copy per plan, not per hold: a plan of a long chain holds hundreds of units (linear, not quadratic).
      const entries: Record<string, ProgressEntry> = {};
      const held = new Set(event.plan.holds.map((hold) => keyOf(hold.kind ?? 'unit', hold.unit)));
      for (const [key, entry] of Object.entries(state.entries)) entries[key] = held.has(key) ? entry : { ...entry, hold: null };
      const order = [...state.order];
      const known = new Set(order);
      const update = (kind: ProgressEntry['kind'], name: string, change: (entry: ProgressEntry) => Partial<ProgressEntry>): void => {
        const key = keyOf(kind, name);
        const current = entries[key] ?? blankEntry(kind, name);
        entries[key] = { ...current, ...change(current) };
        if (!known.has(key)) {
          known.add(key);
          order.push(key);
        }
      };
      for (const hold of event.plan.holds) {
        const detail = describeHold(hold);
        update(hold.kind ?? 'unit', hold.unit, () => ({ hold: detail === '' ? hold.reason : `${hold.reason}: ${detail}` }));
      }
      for (const action of event.plan.actions) {
        if (action.type === 'start' || action.type === 'restart') update('unit', action.unit, (entry) => ({ status: entry.status ?? 'pending' }));
      }
      return { ...state, entries, order };
    }
    case 'unit-phase':
      return withEntry(state, 'unit', event.unit, (entry) => {
        const newAttempt = ATTEMPT_PHASES.has(event.phase) && !ATTEMPT_PHASES.has(entry.status ?? '');
        const attemptStartedAt = newAttempt ? event.at : entry.attemptStartedAt;
        return {
          status: event.phase,
          attemptStartedAt,
          readyAfterMs: event.phase === 'ready' ? event.at - (attemptStartedAt ?? state.startedAt) : newAttempt ? null : entry.readyAfterMs,
          error: event.phase === 'ready' ? null : event.phase === 'failed' || event.phase === 'backoff' ? (event.reason ?? entry.error) : entry.error,
          hold: event.phase === 'ready' ? null : entry.hold,
        };
      });
    case 'unit-exited':
      return withEntry(state, 'unit', event.unit, () => ({ error: describeExit({ code: event.code, signal: event.signal, known: true }) }));
    case 'overlay':
      return withEntry(state, 'overlay', event.overlay, () => ({ status: event.status }));
    case 'action':
      if (event.outcome !== 'failed') return state;
      return event.action.type === 'sync-overlay'
        ? withEntry(state, 'overlay', event.action.overlay, () => ({ error: event.error ?? 'sync failed' }))
        : withEntry(state, 'unit', event.action.unit, () => ({ error: event.error ?? `${event.action.type} failed` }));
    case 'unit-removed':
      return withEntry(state, 'unit', event.unit, () => ({ status: 'deleted', hold: null, error: null }));
    case 'unit-health':
    case 'converged':
      return state;
    default:
      return state;
  }
};

/** The entry for a unit or overlay name. */
export const progressEntry = (state: ProgressState, kind: ProgressEntry['kind'], name: string): ProgressEntry | undefined =>
  state.entries[keyOf(kind, name)];

/** Where an apply stands: what is ready, what failed (with why), what is neither yet. */
export interface ApplySummary {
  ready: string[];
  failed: { unit: string; reason: string | null }[];
  /** Units neither ready nor failed (reported when the apply timed out). */
  pending: { unit: string; reason: string | null }[];
  durationMs: number;
}

/** Summarises the units of a progress view (overlays, stopped and deleted units count as neither). */
export const summarizeProgress = (state: ProgressState, now: number): ApplySummary => {
  const units = state.order.map((key) => state.entries[key]).filter((entry): entry is ProgressEntry => entry?.kind === 'unit');
  return {
    ready: units.filter((entry) => entry.status === 'ready').map((entry) => entry.name),
    failed: units.filter((entry) => entry.status === 'failed').map((entry) => ({ unit: entry.name, reason: entry.error ?? entry.hold })),
    pending: units
      .filter((entry) => !['ready', 'failed', 'stopped', 'deleted'].includes(entry.status ?? ''))
      .map((entry) => ({ unit: entry.name, reason: entry.hold ?? entry.error ?? entry.status })),
    durationMs: Math.max(0, now - state.startedAt),
  };
};
