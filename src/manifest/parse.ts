// Step 1 of the pipeline: YAML text → plain data, plus `locate` to map any path back to file:line:col.

import { isAlias, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { createLocate } from './locate.js';
import { findExcessiveNesting, MAX_NESTING } from './nesting.js';
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
  const deep = findExcessiveNesting(text);
  if (deep) {
    const { line, col } = positionOf(text, deep.offset);
    return err([{ severity: 'error', code: 'yaml-syntax', message: `invalid YAML: the manifest nests deeper than ${MAX_NESTING} levels here`, location: { file, line, col, length: 1 } }]);
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    return err([{ severity: 'error', code: 'yaml-syntax', message: `invalid YAML: ${cannotRead(error)}`, location: { file, line: 1, col: 1, length: 1 } }]);
  }
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
  const data = toData(doc, (offset) => ({ file, ...lineCounter.linePos(offset) }));
  if (!data.ok) return data;
  return ok({ file, text, data: data.value, locate: createLocate(doc, lineCounter, file, text) });
};

/** Aliases expanded at most this many times: a bounded "billion laughs" is refused, not expanded. */
export const MAX_ALIAS_COUNT = 1000;

/**
 * The document as plain data. yaml's toJS throws (instead of reporting) for an alias whose anchor is not set above it,
 * for a merge key on something other than a mapping, and for an alias bomb: each becomes a located diagnostic here.
 */
const toData = (doc: Document, position: (offset: number) => { file: string; line: number; col: number }): Result<unknown, Diagnostic[]> => {
  try {
    return ok(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unanchored = aliasBeforeAnchor(doc);
    const [culprit, text] = unanchored
      ? [unanchored, `the alias *${unanchored.source} has no anchor &${unanchored.source} set above it`]
      : /alias count/.test(message)
        ? [first(doc, isAlias), `the aliases expand more than ${MAX_ALIAS_COUNT} times (an alias bomb?); sbx refuses to expand them`]
        : /^Merge/.test(message)
          ? [first(doc, isMergeKey), 'a merge key `<<` takes a mapping, an alias of one, or a list of those']
          : [null, cannotRead(error)];
    const start = culprit?.range?.[0] ?? 0;
    const length = Math.max(1, (culprit?.range?.[1] ?? start + 1) - start);
    return err([{ severity: 'error', code: 'yaml-syntax', message: `invalid YAML: ${text}`, location: { ...position(start), length } }]);
  }
};

type Located = Node & { source?: string };

/** The first alias (in document order) whose anchor is not set above it. */
const aliasBeforeAnchor = (doc: Document): (Located & { source: string }) | null => {
  const anchors = new Set<string>();
  let found: (Located & { source: string }) | null = null;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (anchors.has(node.source)) return undefined;
      found = node;
      return visit.BREAK;
    }
    if (node && typeof node === 'object' && 'anchor' in node && typeof node.anchor === 'string') anchors.add(node.anchor);
    return undefined;
  });
  return found;
};

/** A `<<` key (yaml keeps it as the string or as Symbol('<<')). */
const isMergeKey = (node: unknown): boolean =>
  isScalar(node) && (node.value === '<<' || (typeof node.value === 'symbol' && node.value.description === '<<'));

/** The first node (in document order) that matches. */
const first = (doc: Document, match: (node: unknown) => boolean): Located | null => {
  let found: Located | null = null;
  visit(doc, (_key, node) => {
    if (!match(node)) return undefined;
    found = node as Located;
    return visit.BREAK;
  });
  return found;
};

/** What an unexpected parser failure reads as. */
const cannotRead = (error: unknown): string => `cannot read this document (${error instanceof Error ? error.message : String(error)})`;

/** 1-based line and column of an offset. */
const positionOf = (text: string, offset: number): { line: number; col: number } => {
  let line = 1;
  let start = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    start = at + 1;
  }
  return { line, col: offset - start + 1 };
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
