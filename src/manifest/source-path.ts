// Paths into a manifest (or an API body), and the function that maps them to file:line:col.

import type { SourceLocation } from '../shared/diagnostic.js';

/** Keys and list indexes from the document root to a node, e.g. ['services', 'redis', 'args', 0]. */
export type Path = readonly (string | number)[];

export interface LocateOptions {
  /** Point at the key of the last segment instead of its value (unknown keys, duplicate names). */
  key?: boolean;
  /** Point at this text inside the node's source (an interpolation inside a string). */
  fragment?: string;
}

/** Maps a path to where it is written; returns undefined when there is no source (API bodies). */
export type Locate = (path: Path, options?: LocateOptions) => SourceLocation | undefined;

/** The locator for input that has no file (API bodies): diagnostics then carry only `field`. */
export const noSource: Locate = () => undefined;

/** The dotted field name users read: services.redis.args[0]. */
export const formatPath = (path: Path): string => {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
};

/** Turns an ajv instancePath ("/services/redis/args/0") into a Path. */
export const pathFromPointer = (pointer: string, value: unknown): Path => {
  if (pointer === '') return [];
  const segments: (string | number)[] = [];
  let node = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return segments;
};
