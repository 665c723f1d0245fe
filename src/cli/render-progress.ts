// Progress while `sbx apply` brings units up: a redrawn live view on a TTY, plain lines otherwise, then a verdict.

import type { EngineEvent } from '../engine/types.js';
import { formatDuration } from './format-time.js';
import { progressEntry, summarizeProgress, type ApplySummary, type ProgressEntry, type ProgressState } from './progress-state.js';
import { statusFormat } from './render-status.js';
import { createStyle, padVisible, truncateVisible, type Style } from './style.js';

// The state side lives in progress-state.ts; re-exported so commands import progress from one place.
export type { ApplySummary } from './progress-state.js';
export { createProgress, foldProgress, summarizeProgress } from './progress-state.js';

/** Colour switch for every progress renderer. */
export interface ProgressRenderOptions {
  color: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** Words people read for overlay copy states. */
const OVERLAY_WORDS: Record<string, string> = { pending: 'pending', in_progress: 'copying', complete: 'copied', failed: 'failed' };

const label = (entry: ProgressEntry): string => (entry.kind === 'overlay' ? `overlay ${entry.name}` : entry.name);
const statusWord = (entry: ProgressEntry): string =>
  entry.kind === 'overlay' ? (OVERLAY_WORDS[entry.status ?? 'pending'] ?? String(entry.status)) : (entry.status ?? 'pending');

/** `web: ready (1.2 s)`: the plain line for an entry's current state. */
const describeEntry = (entry: ProgressEntry, style: Style): string => {
  const word = statusWord(entry);
  const painted = style.paint(statusFormat(entry.status ?? 'pending'), word);
  const detail =
    entry.status === 'ready' && entry.readyAfterMs !== null
      ? formatDuration(entry.readyAfterMs)
      : entry.status === 'failed' || entry.status === 'backoff'
        ? entry.error
        : null;
  return `${style.paint('bold', label(entry))}: ${painted}${detail ? ` (${detail})` : ''}`;
};

/**
 * The plain lines (no trailing newline) one event adds, given the state before and after folding it: a line per
 * status change, per new hold, per failed action and per unexpected exit. Empty when nothing worth a line happened.
 */
export const renderProgressLines = (event: EngineEvent, before: ProgressState, after: ProgressState, { color }: ProgressRenderOptions): string[] => {
  const style = createStyle(color);
  const changedStatus = (kind: ProgressEntry['kind'], name: string): string[] => {
    const previous = progressEntry(before, kind, name);
    const current = progressEntry(after, kind, name);
    return current && current.status !== previous?.status ? [describeEntry(current, style)] : [];
  };
  switch (event.type) {
    case 'unit-phase':
      return changedStatus('unit', event.unit);
    case 'overlay':
      return changedStatus('overlay', event.overlay);
    case 'unit-exited': {
      const previous = progressEntry(before, 'unit', event.unit);
      const current = progressEntry(after, 'unit', event.unit);
      if (!current?.error || previous?.status === 'stopping') return [];
      return [`${style.paint('bold', event.unit)}: ${style.paint('red', current.error)}`];
    }
    case 'plan':
      return after.order.flatMap((key) => {
        const current = after.entries[key];
        if (!current?.hold || before.entries[key]?.hold === current.hold) return [];
        return [`${style.paint('bold', label(current))}: ${style.paint('dim', current.hold)}`];
      });
    case 'action': {
      if (event.outcome !== 'failed') return [];
      const target = event.action.type === 'sync-overlay' ? `overlay ${event.action.overlay}` : event.action.unit;
      const verb = event.action.type === 'sync-overlay' ? 'sync' : event.action.type;
      return [`${style.paint('bold', target)}: ${style.paint('red', `${verb} failed${event.error ? `: ${event.error}` : ''}`)}`];
    }
    case 'unit-removed':
      return [`${style.paint('bold', event.unit)}: ${style.paint('gray', 'deleted')} (${event.reason})`];
    default:
      return [];
  }
};

/** Statuses that are on their way somewhere: the live view spins for these. */
const ACTIVE = new Set(['pending', 'installing', 'starting', 'running', 'stopping', 'in_progress']);

const iconFor = (entry: ProgressEntry, tick: number, style: Style): string => {
  const status = entry.status ?? 'pending';
  if (status === 'ready' || status === 'complete') return style.paint('green', '✔');
  if (status === 'failed') return style.paint('red', '✖');
  if (status === 'backoff') return style.paint('yellow', '↻');
  if (status === 'stopped' || status === 'deleted') return style.paint('gray', '■');
  if (entry.hold || (status === 'pending' && entry.attemptStartedAt === null)) return style.paint('dim', '·');
  return ACTIVE.has(status) ? style.paint('cyan', SPINNER[tick % SPINNER.length] ?? '⠋') : ' ';
};

const detailFor = (entry: ProgressEntry, now: number): string => {
  if (entry.status === 'ready') return entry.readyAfterMs === null ? '' : formatDuration(entry.readyAfterMs);
  if (entry.status === 'failed' || entry.status === 'backoff') return entry.error ?? entry.hold ?? '';
  if (entry.hold) return entry.hold;
  if (entry.attemptStartedAt !== null && ACTIVE.has(entry.status ?? '')) return formatDuration(now - entry.attemptStartedAt);
  return '';
};

/** Options for {@link renderProgressFrame}. */
export interface ProgressFrameOptions extends ProgressRenderOptions {
  now: number;
  /** Animation step (the caller increments it on each redraw). */
  tick: number;
  /** Terminal width: lines are cut to fit, or the redraw would miscount wrapped lines. */
  columns?: number;
}

/** One live frame and its height: write `redrawFrame(previous.lines, frame.text)` to replace the previous one. */
export interface ProgressFrame {
  text: string;
  /** Lines in this frame: how far to move up before drawing the next one. */
  lines: number;
}

/** Renders the live view: one line per unit (icon, name, status, detail), then a one-line tally. */
export const renderProgressFrame = (state: ProgressState, { color, now, tick, columns }: ProgressFrameOptions): ProgressFrame => {
  const style = createStyle(color);
  const entries = state.order.map((key) => state.entries[key]).filter((entry): entry is ProgressEntry => entry !== undefined);
  const nameWidth = Math.max(0, ...entries.map((entry) => label(entry).length));
  const statusWidth = Math.max(0, ...entries.map((entry) => statusWord(entry).length));
  const fit = (plain: string, used: number): string => (columns === undefined ? plain : truncateVisible(plain, Math.max(0, columns - 1 - used)));

  const lines = entries.map((entry) => {
    const name = padVisible(style.paint('bold', label(entry)), nameWidth);
    const word = padVisible(style.paint(statusFormat(entry.status ?? 'pending'), statusWord(entry)), statusWidth);
    const used = 2 + nameWidth + 2 + statusWidth + 2;
    const detail = fit(detailFor(entry, now), used);
    const painted = entry.status === 'failed' ? style.paint('red', detail) : style.paint('dim', detail);
    return `${iconFor(entry, tick, style)} ${name}  ${word}  ${painted}`.trimEnd();
  });

  const summary = summarizeProgress(state, now);
  const tally = [
    `${summary.ready.length}/${entries.filter((entry) => entry.kind === 'unit' && entry.status !== 'deleted').length} ready`,
    ...(summary.failed.length > 0 ? [style.paint('red', `${summary.failed.length} failed`)] : []),
    formatDuration(summary.durationMs),
  ].join(style.paint('dim', ' · '));
  const all = [...lines, tally];
  return { text: `${all.join('\n')}\n`, lines: all.length };
};

/** The bytes that replace the previous frame (of `previousLines` lines) with `text`: move up, clear down, draw. */
export const redrawFrame = (previousLines: number, text: string): string =>
  `${previousLines > 0 ? `\u001b[${previousLines}F\u001b[J` : ''}${text}`;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

const listWithReasons = (items: ApplySummary['failed']): string =>
  items.map(({ unit, reason }) => (reason ? `${unit} (${reason})` : unit)).join(', ');

/** Options for {@link renderApplySummary}. */
export interface ApplySummaryOptions extends ProgressRenderOptions {
  /** Set when the apply stopped waiting at its timeout: pending units are then listed as not ready. */
  timedOut?: boolean;
}

/** The verdict after an apply, last line decisive: `✔ 3 units ready in 1.4 s` or `✖ 1 unit failed: api (...)`. */
export const renderApplySummary = (
  summary: Pick<ApplySummary, 'ready' | 'failed' | 'durationMs'> & Partial<Pick<ApplySummary, 'pending'>>,
  { color, timedOut = false }: ApplySummaryOptions,
): string => {
  const style = createStyle(color);
  const ok = style.paint('green', '✔');
  const bad = style.paint('red', '✖');
  const took = formatDuration(summary.durationMs);
  const pending = timedOut ? (summary.pending ?? []) : [];
  const lines: string[] = [];
  if (summary.ready.length > 0 || (summary.failed.length === 0 && pending.length === 0)) {
    lines.push(summary.ready.length === 0 ? `${ok} nothing to run (${took})` : `${ok} ${plural(summary.ready.length, 'unit')} ready in ${took}`);
  }
  if (summary.failed.length > 0) {
    lines.push(`${bad} ${style.paint('red', `${plural(summary.failed.length, 'unit')} failed`)}: ${listWithReasons(summary.failed)}`);
  }
  if (pending.length > 0) {
    lines.push(`${bad} ${style.paint('red', `timed out after ${took}`)}: ${plural(pending.length, 'unit')} not ready: ${listWithReasons(pending)}`);
  }
  return `${lines.join('\n')}\n`;
};
