// Step 1 of the pipeline: YAML text → plain data, plus `locate` to map any path back to file:line:col.

import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { createLocate } from './locate.js';
import type { Locate } from './source-path.js';

/** A manifest as parsed: the data, and where each part of it is written. */
export interface ParsedManifest {
  /** Absolute path of the file (used in every location). */
  file: string;
  text: string;
  data: unknown;
  locate: Locate;
}

/** Friendlier wording for the YAML errors people actually hit. */
const rewordings: Record<string, string> = {
  MULTIPLE_DOCS: 'the manifest must be a single YAML document (a `---` starts a second one)',
  DUPLICATE_KEY: 'this key is already set above in the same mapping',
  TAB_AS_INDENT: 'tabs are not allowed as indentation in YAML; use spaces',
};

/** Parses the manifest text; every YAML syntax error becomes a located diagnostic. */
export const parseManifest = (text: string, file: string): Result<ParsedManifest, Diagnostic[]> => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return err(
      doc.errors.map((error) => {
        const opener = unclosedBracket(text, error);
        const [start, end] = opener ?? openingQuote(text, error) ?? error.pos;
        const { line, col } = lineCounter.linePos(start);
        const message = opener ? `this \`${text[start]}\` is never closed` : (rewordings[error.code] ?? lowerFirst(error.message));
        return {
          severity: 'error',
          code: 'yaml-syntax',
          message: `invalid YAML: ${message}`,
          location: { file, line, col, length: Math.max(1, Math.min(end, lineEndAfter(text, start)) - start) },
        } satisfies Diagnostic;
      }),
    );
  }
  return ok({ file, text, data: doc.toJS({ maxAliasCount: 1000 }) as unknown, locate: createLocate(doc, lineCounter, file, text) });
};

/** yaml reports an unclosed quote where the text ends; point at the quote that opened it instead. */
const openingQuote = (text: string, error: { code: string; message: string; pos: [number, number] }): [number, number] | undefined => {
  if (error.code !== 'MISSING_CHAR' || !/quote/.test(error.message)) return undefined;
  const quote = error.message.includes('"') ? '"' : "'";
  const at = text.lastIndexOf(quote, error.pos[0] - 1);
  return at >= 0 ? [at, text.length] : undefined;
};

/** yaml reports an unclosed `[`/`{` where it gave up; point at the bracket that was left open instead. */
const unclosedBracket = (text: string, error: { message: string; pos: [number, number] }): [number, number] | undefined => {
  const closer = /end with an? ([\]}])/.exec(error.message)?.[1];
  if (!closer) return undefined;
  const openerOf: Record<string, string> = { ']': '[', '}': '{' };
  const open: number[] = [];
  let quote: string | null = null;
  for (let i = 0; i < Math.min(error.pos[0], text.length); i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote || c === '\n') quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (c === '[' || c === '{') open.push(i);
    else if (c === ']' || c === '}') open.pop();
  }
  const at = [...open].reverse().find((i) => text[i] === openerOf[closer]);
  return at === undefined ? undefined : [at, at + 1];
};

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

const lineEndAfter = (text: string, offset: number): number => {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
};
