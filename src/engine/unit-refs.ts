// `${units.api.port}` and `${units.api.url}`: a unit's args and env may use another unit's assigned port.

import type { UnitSpec } from '../manifest/types.js';

/** One reference to another unit's port or URL, as written. */
export interface UnitRef {
  /** The literal text, e.g. `${units.api.port}`. */
  token: string;
  unit: string;
  field: 'port' | 'url';
}

const REF_PATTERN = /\$\{units\.([A-Za-z0-9_-]+)\.(port|url)\}/g;

/** Every reference in a text, in order of appearance. */
const refsIn = (text: string): UnitRef[] =>
  [...text.matchAll(REF_PATTERN)].map((m) => ({ token: m[0], unit: m[1] ?? '', field: m[2] === 'url' ? 'url' : 'port' }));

/** Specs are never mutated once resolved, so their references are computed once per spec object. */
const refsBySpec = new WeakMap<UnitSpec, UnitRef[]>();

/** The references a unit's argv, install line and env values make, deduplicated and sorted by token (stable). */
export const findUnitRefs = (spec: UnitSpec): UnitRef[] => {
  const cached = refsBySpec.get(spec);
  if (cached) return cached;
  const texts = [...spec.argv, spec.install ?? '', ...Object.values(spec.env).map((v) => v.value)];
  const byToken = new Map<string, UnitRef>();
  for (const text of texts) for (const ref of refsIn(text)) byToken.set(ref.token, ref);
  const refs = [...byToken.values()].sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  refsBySpec.set(spec, refs);
  return refs;
};

/** Names of the units a spec refers to (they gate its start like needs do). */
export const referencedUnits = (spec: UnitSpec): string[] => [...new Set(findUnitRefs(spec).map((r) => r.unit))].sort();

/** The value a reference resolves to, given the referenced unit's assigned port. */
export const refValue = (field: UnitRef['field'], port: number): string => (field === 'url' ? `http://127.0.0.1:${port}` : String(port));

/** Resolves every reference of a spec from the units' ports; null when some referenced unit has no port yet. */
export const resolveUnitRefs = (spec: UnitSpec, portOf: (unit: string) => number | null): Record<string, string> | null => {
  const values: Record<string, string> = {};
  for (const ref of findUnitRefs(spec)) {
    const port = portOf(ref.unit);
    if (port === null) return null;
    values[ref.token] = refValue(ref.field, port);
  }
  return values;
};

/** Replaces the references in a text with their resolved values (unknown tokens are left as written). */
export const substituteUnitRefs = (text: string, values: Record<string, string>): string =>
  text.replace(REF_PATTERN, (token) => values[token] ?? token);
