// Walks the YAML syntax tree along a Path to find where a value (or its key) is written.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourceLocation } from '../shared/diagnostic.js';
import type { Locate, LocateOptions, Path } from './source-path.js';

type Range = readonly [number, number];

/** Builds the `locate` function for one parsed document. */
export const createLocate = (doc: Document, lineCounter: LineCounter, file: string, text: string): Locate => {
  const at = ([start, end]: Range): SourceLocation => {
    const { line, col } = lineCounter.linePos(start);
    const lineEnd = text.indexOf('\n', start);
    const stop = Math.min(end, lineEnd === -1 ? text.length : lineEnd);
    return { file, line, col, length: Math.max(1, stop - start) };
  };

  return (path: Path, options: LocateOptions = {}): SourceLocation => {
    const found = walk(doc, path);
    if (options.fragment !== undefined && found.node?.range) {
      const [start, end] = found.node.range;
      const index = text.slice(start, end).indexOf(options.fragment);
      if (index >= 0) return at([start + index, start + index + options.fragment.length]);
    }
    const complete = found.depth === path.length;
    const keyRange = found.pair && isNode(found.pair.key) ? found.pair.key.range : undefined;
    const valueIsCollection = found.node !== undefined && (isMap(found.node) || isSeq(found.node));
    const valueIsEmpty = !found.node?.range || found.node.range[0] === found.node.range[1];
    // A whole mapping or an empty value is best shown by its key (`redis:`), an unreachable path by its deepest written key.
    if (keyRange && (options.key || !complete || valueIsCollection || valueIsEmpty)) return at([keyRange[0], keyRange[1]]);
    if (found.node?.range) return at([found.node.range[0], found.node.range[1]]);
    return { file, line: 1, col: 1, length: 1 };
  };
};

const isNode = (value: unknown): value is Node => value !== null && typeof value === 'object' && 'range' in value;

/** Follows the path as far as the tree allows; `depth` says how many segments were matched. */
const walk = (doc: Document, path: Path): { node: Node | undefined; pair: Pair | undefined; depth: number } => {
  let node = resolve(doc, doc.contents ?? undefined);
  let pair: Pair | undefined;
  let depth = 0;
  for (const segment of path) {
    let next: { node: Node | undefined; pair: Pair | undefined } | undefined;
    if (isMap(node)) {
      const match = pairsByKey(node).get(String(segment));
      if (match) next = { node: resolve(doc, match.value), pair: match };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (isNode(item)) next = { node: resolve(doc, item), pair: undefined };
    }
    if (!next) break;
    node = next.node;
    pair = next.pair;
    depth++;
  }
  return { node, pair, depth };
};

const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

/** A mapping's pairs by key, built once per mapping (a 1,000-unit manifest is located thousands of times). */
const pairsByKey = (map: YAMLMap): Map<string, Pair> => {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) if (isPair(item) && isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item);
    pairIndex.set(map, index);
  }
  return index;
};

const resolve = (doc: Document, value: unknown): Node | undefined => {
  if (isAlias(value)) return value.resolve(doc) ?? undefined;
  return isNode(value) ? value : undefined;
};
