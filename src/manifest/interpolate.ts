// Step 3: `${VAR}`, `${VAR:-default}` and `$$` in string fields; `${units.NAME.port|url}` is kept for the engine.

import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { formatPath, type Locate, type Path } from './source-path.js';

/** The value of a variable, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

/** A `${units.NAME.port|url}` written somewhere in a unit. */
export interface UnitRefUse {
  name: string;
  /** Path of the string it is written in, and the token, to locate it. */
  path: Path;
  token: string;
}

/** A problem inside one string: what, and the text it is about. */
export interface InterpolationProblem {
  message: string;
  fragment: string;
  hint?: string;
}

/** Unit fields the engine fills unit references in (argv, install line and env values). */
const REF_FIELDS = new Set(['cmd', 'args', 'start', 'install', 'env', 'environment']);
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(:-([\s\S]*))?$/;
const UNIT_REF = /^units\.([a-z0-9][a-z0-9-]{0,62})\.(port|url)$/;

/** Interpolates one string; `refs` says whether unit references may appear here. */
export const interpolateString = (text: string, lookup: Lookup, refs: boolean): Result<{ value: string; unitRefs: { name: string; token: string }[] }, InterpolationProblem[]> => {
  let value = '';
  const unitRefs: { name: string; token: string }[] = [];
  const problems: InterpolationProblem[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c !== '$' || (next !== '$' && next !== '{')) {
      value += c;
      i++;
      continue;
    }
    if (next === '$') {
      value += '$';
      i += 2;
      continue;
    }
    const close = matchingBrace(text, i + 2);
    if (close === -1) {
      problems.push({ message: 'unterminated `${`: expected a closing `}`', fragment: text.slice(i), hint: 'write `$${` for a literal `${`' });
      break;
    }
    const token = text.slice(i, close + 1);
    const inner = text.slice(i + 2, close);
    i = close + 1;
    if (inner.startsWith('units.')) {
      const ref = UNIT_REF.exec(inner);
      if (!ref) problems.push({ message: `\`${token}\` is not a unit reference: expected \${units.NAME.port} or \${units.NAME.url}`, fragment: token });
      else if (!refs) problems.push({ message: `\`${token}\` can only be used in a unit's cmd, args, start, install or env`, fragment: token });
      else {
        unitRefs.push({ name: ref[1]!, token });
        value += token;
      }
      continue;
    }
    const variable = VARIABLE.exec(inner);
    if (!variable) {
      problems.push({ message: `invalid interpolation \`${token}\``, fragment: token, hint: 'expected ${NAME}, ${NAME:-default} or ${units.NAME.port|url}; write $$ for a literal $' });
      continue;
    }
    const [, name, hasDefault, fallback] = variable;
    const set = lookup(name!);
    if (hasDefault !== undefined) {
      if (set !== undefined && set !== '') value += set;
      else {
        const inner = interpolateString(fallback ?? '', lookup, refs);
        if (inner.ok) {
          value += inner.value.value;
          unitRefs.push(...inner.value.unitRefs);
        } else problems.push(...inner.error);
      }
    } else if (set === undefined) {
      problems.push({
        message: `\`${token}\`: ${name} is not set`,
        fragment: token,
        hint: `set it in sbx's environment or a project env_file, give a default with \${${name}:-value}, or write $\${${name}} to keep it literally (e.g. for the shell)`,
      });
    } else value += set;
  }
  return problems.length > 0 ? err(problems) : ok({ value, unitRefs });
};

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${…}`; -1 when there is none. */
const matchingBrace = (text: string, from: number): number => {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
};

/**
 * Interpolates every string value under `value` (never keys). `base` is where `value` sits in the document; with
 * `unit: true` it is a unit's body, where unit references are allowed in the fields the engine fills.
 */
export const interpolateValue = <T>(value: T, base: Path, lookup: Lookup, locate: Locate, unit: boolean): Result<{ value: T; unitRefs: UnitRefUse[] }, Diagnostic[]> => {
  const diagnostics: Diagnostic[] = [];
  const unitRefs: UnitRefUse[] = [];
  const walk = (node: unknown, rel: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      const path = [...base, ...rel];
      const result = interpolateString(node, lookup, unit && REF_FIELDS.has(String(rel[0])));
      if (result.ok) {
        for (const ref of result.value.unitRefs) unitRefs.push({ ...ref, path });
        return result.value.value;
      }
      for (const problem of result.error) {
        const location = locate(path, { fragment: problem.fragment });
        diagnostics.push({
          severity: 'error',
          code: 'interpolation',
          message: `${formatPath(path) || 'value'}: ${problem.message}`,
          field: formatPath(path),
          ...(location ? { location } : {}),
          ...(problem.hint ? { hint: problem.hint } : {}),
        });
      }
      return node;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...rel, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...rel, key])]));
    }
    return node;
  };
  const out = walk(value, []) as T;
  return diagnostics.length > 0 ? err(diagnostics) : ok({ value: out, unitRefs });
};
