// Diagnostics as a compiler prints them: file:line:col, the source line, a caret under the span, then hints.

import { isAbsolute, relative } from 'node:path';
import type { Diagnostic } from '../shared/diagnostic.js';

export interface RenderOptions {
  /** Paths are shown relative to this folder when they are inside it. */
  cwd?: string;
  /** ANSI colours (only for terminals). */
  color?: boolean;
  /** The text of a file, to quote the offending line; undefined when unavailable. */
  readSource?: (file: string) => string | undefined;
}

const paint = (on: boolean, code: string, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** A file path as the user would type it from `cwd`. */
export const displayPath = (file: string, cwd?: string): string => {
  if (!cwd || !isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
};

/** Renders one diagnostic as a block of lines (no trailing newline). */
export const renderDiagnostic = (diagnostic: Diagnostic, options: RenderOptions = {}): string => {
  const color = options.color ?? false;
  const severity = paint(color, diagnostic.severity === 'error' ? '1;31' : '1;33', diagnostic.severity);
  const { location } = diagnostic;
  const lines: string[] = [];
  if (!location) {
    const field = diagnostic.field && !diagnostic.message.startsWith(diagnostic.field) ? `${diagnostic.field}: ` : '';
    lines.push(`${severity}: ${field}${diagnostic.message}`);
  } else {
    const where = `${displayPath(location.file, options.cwd)}:${location.line}:${location.col}`;
    lines.push(`${paint(color, '1', where)} ${severity}: ${diagnostic.message}`);
    const source = diagnostic.quote === false ? undefined : options.readSource?.(location.file)?.split(/\r?\n/)[location.line - 1];
    if (source !== undefined) {
      const gutter = ' '.repeat(String(location.line).length);
      const text = source.replace(/\t/g, ' ');
      const start = Math.min(location.col - 1, text.length);
      const width = Math.max(1, Math.min(location.length ?? 1, Math.max(1, text.length - start)));
      lines.push(`  ${location.line} | ${text}`);
      lines.push(`  ${gutter} | ${' '.repeat(start)}${paint(color, '1;31', '^'.repeat(width))}`);
    }
  }
  for (const hint of (diagnostic.hint ?? '').split('\n').filter(Boolean)) lines.push(`  ${paint(color, '1;36', 'hint')}: ${hint}`);
  return lines.join('\n');
};

/** Renders diagnostics one after the other, separated by blank lines, ending with a newline. */
export const renderDiagnostics = (diagnostics: readonly Diagnostic[], options: RenderOptions = {}): string =>
  diagnostics.length === 0 ? '' : `${diagnostics.map((d) => renderDiagnostic(d, options)).join('\n\n')}\n`;
