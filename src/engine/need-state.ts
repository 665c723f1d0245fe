// Whether what a unit needs is ready, and if not, a phrase that says why ("which failed: exited with code 1").

import type { Hold } from './types.js';

/** The readiness of one node as its dependents see it. */
export type NeedState =
  | { ready: true }
  | {
      ready: false;
      /** The need failed (or waits on a failure): its dependents are held with `dependency-failed`. */
      failed: boolean;
      /** Will not change without a user action (failed, disabled, undefined). */
      terminal: boolean;
      /** Completes "needs db, …": "which is starting", "which failed: exited with code 1". */
      why: string;
    };

/** A ready need. */
export const READY: NeedState = { ready: true };

/** A need that is not ready (not failed, clears by itself unless terminal). */
export const waiting = (why: string, terminal = false): NeedState => ({ ready: false, failed: false, terminal, why });

/** A need that failed: its dependents cannot start until it is fixed. */
export const failedNeed = (why: string): NeedState => ({ ready: false, failed: true, terminal: true, why });

/** Builds the hold of a node that waits on needs that are not ready; null when every need is ready. */
export const holdForNeeds = (
  node: { name: string; kind: 'unit' | 'overlay' },
  needs: { name: string; state: NeedState; overlay: boolean }[],
  prefix = '',
): Hold | null => {
  const blocking = needs.filter((n) => !n.state.ready);
  if (blocking.length === 0) return null;
  const failed = blocking.filter((n) => !n.state.ready && n.state.failed);
  const shown = failed.length > 0 ? failed : blocking;
  const reason: Hold['reason'] =
    failed.length > 0 ? 'dependency-failed' : blocking.every((n) => n.overlay) ? 'waiting-for-overlay' : 'waiting-for-needs';
  const phrases = shown.map((n) => `needs ${n.overlay ? 'overlay ' : ''}${n.name}, ${n.state.ready ? '' : n.state.why}`);
  return {
    unit: node.name,
    reason,
    on: shown.map((n) => n.name),
    message: prefix + phrases.join('; '),
    terminal: shown.every((n) => !n.state.ready && n.state.terminal),
    ...(node.kind === 'overlay' ? { kind: 'overlay' as const } : {}),
  };
};
