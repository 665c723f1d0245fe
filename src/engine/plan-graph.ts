// The graph the planner walks: units and overlays as nodes, `needs` (and `${units.X}` references) as edges.

import type { UnitSpec } from '../manifest/types.js';
import { dependencyOrder, dependentsByName } from './dependency-order.js';
import type { DesiredModel, ObservedState } from './types.js';
import { referencedUnits } from './unit-refs.js';

/** Nodes in dependency order, with what each needs and what needs it. */
export interface PlanGraph {
  /** Every unit (desired or still observed) and every desired overlay; needs first, then by name. */
  order: string[];
  /** Position of each node in `order` (actions and holds are sorted by it). */
  rank: Map<string, number>;
  isOverlay(name: string): boolean;
  /** The spec a unit is planned with: the desired one, else the one its last run started with. */
  specOf(name: string): UnitSpec | undefined;
  /** Names a node waits for: unit needs, overlays, referenced units. */
  needsOf(name: string): string[];
  /** Units that need this node, sorted. */
  dependentsOf(name: string): string[];
  /** True when `unit` declared `{ name: need, restart: true }`. */
  follows(unit: string, need: string): boolean;
}

const needsBySpec = new WeakMap<UnitSpec, string[]>();

/** Everything a unit spec waits for: its needs, its overlays and the units its `${units.X...}` references name. */
const unitNeeds = (spec: UnitSpec): string[] => {
  const cached = needsBySpec.get(spec);
  if (cached) return cached;
  const needs = [...new Set([...spec.needs.map((n) => n.name), ...spec.overlays, ...referencedUnits(spec), ...(spec.unit_refs ?? [])])];
  const sorted = needs.filter((n) => n !== spec.name).sort();
  needsBySpec.set(spec, sorted);
  return sorted;
};

/** Builds the graph of a desired model plus the units only observed (being removed or left over). */
export const buildPlanGraph = (desired: DesiredModel, observed: ObservedState): PlanGraph => {
  const specs = new Map<string, UnitSpec>();
  for (const [name, unit] of Object.entries(observed.units)) if (unit.started) specs.set(name, unit.started.spec);
  for (const [name, unit] of Object.entries(desired.units)) specs.set(name, unit.spec);
  const overlayNames = new Set(Object.keys(desired.overlays));
  const unitNames = [...new Set([...Object.keys(desired.units), ...Object.keys(observed.units)])].filter((n) => !overlayNames.has(n));
  const needs = new Map<string, string[]>();
  for (const name of unitNames) {
    const spec = specs.get(name);
    needs.set(name, spec ? unitNeeds(spec) : []);
  }
  for (const name of overlayNames) needs.set(name, (desired.overlays[name]?.needs ?? []).map((n) => n.name).sort());
  const nodes = [...unitNames, ...overlayNames];
  const needsOf = (name: string): string[] => needs.get(name) ?? [];
  const order = dependencyOrder(nodes, needsOf);
  const dependents = dependentsByName(nodes, needsOf);
  return {
    order,
    rank: new Map(order.map((name, index) => [name, index])),
    isOverlay: (name) => overlayNames.has(name),
    specOf: (name) => specs.get(name),
    needsOf,
    dependentsOf: (name) => (dependents.get(name) ?? []).filter((d) => !overlayNames.has(d)),
    follows: (unit, need) => specs.get(unit)?.needs.some((n) => n.name === need && n.restart) ?? false,
  };
};
