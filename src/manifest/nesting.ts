// How deeply a YAML text nests, measured without recursion (yaml's composer recurses once per level).
//
// Why: thousands of levels exhaust the stack inside yaml's composer. yaml reports that as an error, but a regular
// expression compiled that close to the stack limit can abort the whole process ("RegExpCompiler Allocation failed",
// found by the manifest fuzz), so sbx refuses absurd nesting before the composer ever sees it.

import { CST, Lexer } from 'yaml';

/** No manifest needs more (the schema's deepest path is about 6 levels); far below what exhausts the stack. */
export const MAX_NESTING = 64;

/** Where the nesting first went past the limit. */
export interface TooDeep {
  /** Offset in the text of the token that went past the limit. */
  offset: number;
  depth: number;
}

/**
 * Measures nesting with yaml's own lexer (linear, no recursion): flow brackets count one level each, block levels are
 * the distinct indentation columns open at a line's content (compact `- - x` items count one each). Returns where the
 * depth first exceeds `limit`, or null.
 */
export const findExcessiveNesting = (text: string, limit = MAX_NESTING): TooDeep | null => {
  let offset = 0;
  let col = 0;
  let flow = 0;
  let atLineStart = true;
  let scalarSource = false;
  const blocks: number[] = [];
  const openBlock = (): void => {
    while (blocks.length > 0 && blocks[blocks.length - 1]! >= col) blocks.pop();
    blocks.push(col);
  };
  const advance = (token: string): void => {
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    col = newline >= 0 ? token.length - newline - 1 : col + token.length;
    if (newline >= 0 && col === 0) atLineStart = true;
  };
  for (const token of new Lexer().lex(text)) {
    if (scalarSource) {
      // A scalar's own source (plain, quoted, or a block scalar's body): content, never structure.
      scalarSource = false;
      advance(token);
      continue;
    }
    const type = CST.tokenType(token);
    // Markers the lexer adds (not part of the text).
    if (type === 'doc-mode' || type === 'flow-error-end') continue;
    if (type === 'scalar') {
      scalarSource = true;
      if (flow === 0 && atLineStart) openBlock();
      atLineStart = false;
    } else if (type === null || !LAYOUT.has(type)) {
      if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
      else if (type === 'flow-seq-end' || type === 'flow-map-end') flow = Math.max(0, flow - 1);
      if (flow === 0 && (atLineStart || type === 'seq-item-ind' || type === 'explicit-key-ind')) openBlock();
      atLineStart = false;
      advance(token);
    } else advance(token);
    if (blocks.length + flow > limit) return { offset, depth: blocks.length + flow };
  }
  return null;
};

/** Tokens that never open a level. */
const LAYOUT = new Set<string>(['space', 'newline', 'comment', 'comma', 'directive-line', 'doc-start', 'doc-end', 'byte-order-mark']);
