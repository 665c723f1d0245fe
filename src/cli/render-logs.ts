// Log lines for `sbx logs` and `sbx up`: `name | text`, one stable colour per unit, stderr marked with `!`.

import type { LogLine } from '../runtime/log-store.js';
import { createStyle, padVisible, type StyleFormat } from './style.js';

/** Options for {@link renderLogLine}. */
export interface RenderLogOptions {
  color: boolean;
  /** Width the unit name is padded to, so text columns line up (see logPrefixWidth). */
  prefixWidth: number;
  /** Adds the time sbx read the line (ISO 8601, UTC) after the prefix, like `docker compose logs -t`. */
  timestamps: boolean;
}

/** Unit colours: red and grey are left out, they mean "error" and "unimportant" elsewhere. */
const UNIT_PALETTE: readonly StyleFormat[] = [
  'cyan',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyanBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
];

/** The colour a unit's prefix always gets (FNV-1a of its name), so it stays the same across runs. */
export const unitColor = (name: string): StyleFormat => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return UNIT_PALETTE[(hash >>> 0) % UNIT_PALETTE.length] ?? 'cyan';
};

/** The prefix width that aligns every given unit's lines. */
export const logPrefixWidth = (units: readonly string[]): number => Math.max(0, ...units.map((unit) => unit.length));

/** One output line (no trailing newline): `api   | listening on 3000`, or `api   ! warning` for stderr. */
export const renderLogLine = (unit: string, line: LogLine, { color, prefixWidth, timestamps }: RenderLogOptions): string => {
  const style = createStyle(color);
  const name = padVisible(style.paint(unitColor(unit), unit), prefixWidth);
  const marker = line.stream === 'stderr' ? style.paint('red', '!') : style.paint(unitColor(unit), '|');
  const time = timestamps ? `${style.paint('dim', new Date(line.ts).toISOString())} ` : '';
  // A trailing carriage return (CRLF output, progress bars) would put the cursor back over the prefix.
  const text = line.text.replace(/\r+$/, '');
  return `${name} ${marker} ${time}${text}`;
};
