// Colour for human output: node:util's styleText when there is one, off for NO_COLOR, dumb terminals and pipes.

import util from 'node:util';

/** The text styles sbx uses (a subset of util.inspect.colors). */
export type StyleFormat =
  | 'bold'
  | 'dim'
  | 'red'
  | 'green'
  | 'yellow'
  | 'blue'
  | 'magenta'
  | 'cyan'
  | 'gray'
  | 'redBright'
  | 'greenBright'
  | 'yellowBright'
  | 'blueBright'
  | 'magentaBright'
  | 'cyanBright';

/** Paints text, or returns it unchanged when colour is off. */
export interface Style {
  readonly enabled: boolean;
  paint(format: StyleFormat | readonly StyleFormat[], text: string): string;
}

type StyleText = (format: StyleFormat | StyleFormat[], text: string, options?: { validateStream?: boolean }) => string;

/** Applies formats with raw SGR codes, for Node versions without styleText. */
const paintWithInspectColors = (formats: readonly StyleFormat[], text: string): string =>
  formats.reduceRight((inner, format) => {
    const codes = util.inspect.colors[format];
    return codes ? `\u001b[${codes[0]}m${inner}\u001b[${codes[1]}m` : inner;
  }, text);

const styleText = (util as { styleText?: StyleText }).styleText;

/** Builds a Style; colour decisions belong to the caller (see shouldUseColor), so renderers stay pure. */
export const createStyle = (color: boolean): Style => ({
  enabled: color,
  paint(format, text) {
    if (!color || text === '') return text;
    const formats = typeof format === 'string' ? [format] : [...format];
    // validateStream: false, because whether to colour was decided already (the renderer may not write to stdout).
    return styleText ? styleText(formats, text, { validateStream: false }) : paintWithInspectColors(formats, text);
  },
});

/** Whether to colour output for a stream: NO_COLOR wins, then FORCE_COLOR, then TERM=dumb, then "is it a TTY". */
export const shouldUseColor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
};

const ANSI_PATTERN = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Removes ANSI escape sequences (for widths and for tests). */
export const stripAnsi = (text: string): string => text.replace(ANSI_PATTERN, '');

/** Width of text as shown in a terminal (escape codes excluded; one column per code point). */
export const visibleWidth = (text: string): number => [...stripAnsi(text)].length;

/** Pads text with spaces to a visible width (escape codes do not count). */
export const padVisible = (text: string, width: number, align: 'left' | 'right' = 'left'): string => {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'left' ? text + fill : fill + text;
};

/** Cuts plain text to a visible width, ending with an ellipsis when cut. */
export const truncateVisible = (text: string, width: number): string => {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
};
