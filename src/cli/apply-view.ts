// Prints one apply's NDJSON answer as it arrives: the plan, live progress (redrawn on a TTY, lines otherwise), the verdict.

import type { ApplyMessage } from '../daemon/api-types.js';
import type { Plan } from '../engine/types.js';
import { CliError, EXIT_FAILURE } from './exit-codes.js';
import { renderDiagnostics } from './render-diagnostics.js';
import { renderPlan } from './render-plan.js';
import {
  createProgress,
  foldProgress,
  redrawFrame,
  renderApplySummary,
  renderProgressFrame,
  renderProgressLines,
  summarizeProgress,
} from './render-progress.js';
import type { ProgressState } from './progress-state.js';

/** Where and how to print. */
export interface ApplyViewOptions {
  out: NodeJS.WriteStream;
  color: boolean;
  /** Redraw a live frame (TTY) instead of printing plain lines. */
  live: boolean;
  json: boolean;
}

/** The final answer of an apply, as the CLI needs it for its exit code. */
export type ApplyOutcome = Extract<ApplyMessage, { type: 'result' }> | null;

/** Consumes an apply stream, printing as it goes; resolves with the result message. */
export const printApply = async (stream: AsyncIterable<ApplyMessage>, options: ApplyViewOptions): Promise<ApplyOutcome> => {
  const { out, color, live, json } = options;
  let progress: ProgressState | null = null;
  let frameLines = 0;
  let tick = 0;
  const draw = (): void => {
    if (!progress || !live) return;
    const frame = renderProgressFrame(progress, { color, now: Date.now(), tick: tick++, columns: out.columns });
    out.write(redrawFrame(frameLines, frame.text));
    frameLines = frame.lines;
  };
  const timer = live ? setInterval(draw, 120) : null;
  try {
    for await (const message of stream) {
      if (json) out.write(`${JSON.stringify(message)}\n`);
      switch (message.type) {
        case 'plan': {
          const plan: Plan = { actions: message.actions, holds: message.holds, recheckAt: null };
          if (!json && message.warnings) out.write(renderDiagnostics(message.warnings, { cwd: process.cwd(), color }));
          if (!json) out.write(renderPlan(plan, { color }));
          const names = [...new Set([...message.actions.map((a) => ('unit' in a ? a.unit : null)), ...message.holds.map((h) => h.unit)])];
          progress = createProgress(
            names.filter((n): n is string => n !== null),
            Date.now(),
          );
          break;
        }
        case 'event': {
          if (!progress) break;
          const before: ProgressState = progress;
          progress = foldProgress(before, message.event);
          if (json) break;
          if (live) draw();
          else for (const line of renderProgressLines(message.event, before, progress, { color })) out.write(`${line}\n`);
          break;
        }
        case 'result': {
          if (json) return message;
          if (live) draw();
          if (message.dry_run) return message;
          if (message.superseded) {
            out.write('✖ superseded: another apply changed the project before this one converged; `sbx status` shows what runs\n');
            return message;
          }
          const summary = progress ? summarizeProgress(progress, Date.now()) : null;
          const reasons = new Map(summary?.failed.map((f) => [f.unit, f.reason]) ?? []);
          const pendingReasons = new Map(summary?.pending.map((p) => [p.unit, p.reason]) ?? []);
          out.write(
            renderApplySummary(
              {
                ready: message.ready,
                // A unit failed by its dependency has no failed phase of its own: its hold says why.
                failed: message.failed.map((unit) => ({ unit, reason: reasons.get(unit) ?? pendingReasons.get(unit) ?? null })),
                pending: message.pending.map((unit) => ({ unit, reason: pendingReasons.get(unit) ?? null })),
                durationMs: summary?.durationMs ?? 0,
              },
              { color, timedOut: message.timed_out },
            ),
          );
          return message;
        }
        case 'error':
          throw new CliError(message.error.message, EXIT_FAILURE);
      }
    }
    return null;
  } finally {
    if (timer) clearInterval(timer);
  }
};
