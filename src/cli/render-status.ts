// The `sbx status` / `sbx ps` table: one aligned row per unit, colour on status and health.

import { formatAge } from './format-time.js';
import type { StatusRow } from './status-row.js';
import { createStyle, padVisible, truncateVisible, type Style, type StyleFormat } from './style.js';

/** Options for {@link renderStatus}. */
export interface RenderStatusOptions {
  color: boolean;
  /** Adds the COMMAND column and never shortens notes. */
  wide?: boolean;
  /** Terminal width; without `wide`, notes are shortened so rows fit. */
  columns?: number;
}

/** Colour of each status word: green is good, yellow is on its way, red needs a look. */
const STATUS_FORMAT: Record<string, StyleFormat> = {
  ready: 'green',
  complete: 'green',
  running: 'cyan',
  pending: 'yellow',
  installing: 'yellow',
  starting: 'yellow',
  in_progress: 'yellow',
  backoff: 'yellow',
  stopping: 'yellow',
  stopped: 'gray',
  failed: 'red',
};

/** The colour for a status word (unknown words are grey). */
export const statusFormat = (status: string): StyleFormat => STATUS_FORMAT[status] ?? 'gray';

const HEALTH_FORMAT: Record<string, StyleFormat> = { healthy: 'green', checking: 'yellow', unhealthy: 'red' };

interface Column {
  header: string;
  align: 'left' | 'right';
  cell: (row: StatusRow) => string;
  paint?: (text: string, row: StatusRow, style: Style) => string;
}

const dash = (value: number | null): string => (value === null ? '-' : String(value));

const BASE_COLUMNS: Column[] = [
  { header: 'NAME', align: 'left', cell: (row) => row.name, paint: (text, _row, style) => style.paint('bold', text) },
  { header: 'KIND', align: 'left', cell: (row) => row.kind },
  {
    header: 'STATUS',
    align: 'left',
    cell: (row) => row.status,
    paint: (text, row, style) => style.paint(statusFormat(row.status), text),
  },
  { header: 'PID', align: 'right', cell: (row) => dash(row.pid) },
  { header: 'PORT', align: 'right', cell: (row) => dash(row.port) },
  { header: 'RESTARTS', align: 'right', cell: (row) => (row.kind === 'overlay' ? '-' : String(row.restarts)) },
  {
    header: 'HEALTH',
    align: 'left',
    cell: (row) => row.health ?? '-',
    paint: (text, row, style) => (row.health ? style.paint(HEALTH_FORMAT[row.health] ?? 'gray', text) : text),
  },
  { header: 'AGE', align: 'right', cell: (row) => (row.age_ms === null ? '-' : formatAge(row.age_ms)) },
];

const NOTE_COLUMN: Column = {
  header: 'NOTE',
  align: 'left',
  cell: (row) => row.note ?? '',
  paint: (text, row, style) => (row.status === 'failed' ? style.paint('red', text) : style.paint('dim', text)),
};

const COMMAND_COLUMN: Column = { header: 'COMMAND', align: 'left', cell: (row) => row.command ?? '' };

const GAP = '  ';

/** Renders the table (header plus one row per unit, in the order given); a hint when there are no units. */
export const renderStatus = (rows: readonly StatusRow[], { color, wide = false, columns }: RenderStatusOptions): string => {
  const style = createStyle(color);
  if (rows.length === 0) return 'no units: run `sbx apply` to bring the manifest up\n';
  const layout = [...BASE_COLUMNS, NOTE_COLUMN, ...(wide ? [COMMAND_COLUMN] : [])];
  const cells = rows.map((row) => layout.map((column) => column.cell(row)));
  const widths = layout.map((column, index) => Math.max(column.header.length, ...cells.map((line) => (line[index] ?? '').length)));

  const noteIndex = layout.indexOf(NOTE_COLUMN);
  if (!wide && columns !== undefined) {
    const fixed = widths.slice(0, noteIndex).reduce((sum, width) => sum + width + GAP.length, 0);
    widths[noteIndex] = Math.max(NOTE_COLUMN.header.length, Math.min(widths[noteIndex] ?? 0, columns - fixed - 1));
  }

  const renderLine = (texts: readonly string[], row: StatusRow | null): string =>
    layout
      .map((column, index) => {
        const width = widths[index] ?? 0;
        const text = truncateVisible(texts[index] ?? '', width);
        const painted = row && column.paint && text !== '' ? column.paint(text, row, style) : text;
        return index === layout.length - 1 && column.align === 'left' ? painted : padVisible(painted, width, column.align);
      })
      .join(GAP)
      .trimEnd();

  const header = style.paint('bold', renderLine(layout.map((column) => column.header), null));
  return `${[header, ...rows.map((row, index) => renderLine(cells[index] ?? [], row))].join('\n')}\n`;
};
