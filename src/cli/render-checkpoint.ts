// Human output of `sbx checkpoint`: what a restore did, the list of checkpoints, a created checkpoint. Pure text.

import type { CheckpointView, RestoreResult } from '../daemon/api-types.js';
import { formatAge } from './format-time.js';

const list = (names: string[]): string => names.join(', ');

/** One line per non-empty list (failed units with their reason), then a summary line. */
export const renderRestore = (name: string, result: RestoreResult): string => {
  const lines: string[] = [];
  const add = (label: string, names: string[]): void => {
    if (names.length > 0) lines.push(`${label.padEnd(10)} ${list(names)}`);
  };
  add('started', result.started_services);
  add('stopped', result.stopped_services);
  add('restarted', result.restarted_services);
  const deletedOnly = result.deleted_services.filter((n) => !result.stopped_services.includes(n));
  add('deleted', deletedOnly);
  for (const unit of result.failed_services) lines.push(`${'failed'.padEnd(10)} ${unit}: ${result.failures[unit] ?? 'not ready'}`);
  const counts = `${result.started_services.length} started, ${result.stopped_services.length} stopped, ${result.failed_services.length} failed`;
  const timedOut = result.timed_out ? ' (stopped waiting at the timeout)' : '';
  lines.push(result.failed_services.length > 0 || result.timed_out ? `✖ restored ${name} with failures: ${counts}${timedOut}` : `✔ restored ${name}: ${counts}`);
  return `${lines.join('\n')}\n`;
};

/** The line printed after `checkpoint create`. */
export const renderCreated = (checkpoint: CheckpointView): string => {
  const running = checkpoint.units.filter((u) => u.running).length;
  return `✔ checkpoint ${checkpoint.name}: ${checkpoint.units.length} unit${checkpoint.units.length === 1 ? '' : 's'}, ${running} running\n`;
};

/** A table: name, age, units, running (or a note when there are none). */
export const renderCheckpointList = (checkpoints: CheckpointView[], now: number): string => {
  if (checkpoints.length === 0) return 'no checkpoints\n';
  const rows = [
    ['NAME', 'AGE', 'UNITS', 'RUNNING'],
    ...checkpoints.map((c) => [
      c.name,
      formatAge(now - Date.parse(c.created_at)),
      String(c.units.length),
      String(c.units.filter((u) => u.running).length),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
};
