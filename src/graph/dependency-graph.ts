// Units and overlays as a graph of `needs`: unknown names and cycles are located errors; orders for the engine.

import graphlib from '@dagrejs/graphlib';
import type { Diagnostic, SourceLocation } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { didYouMean } from '../shared/suggest.js';
import type { DesiredState, NeedSpec } from '../manifest/types.js';

/** A node: a unit or an overlay, with what it needs. */
export interface GraphNode {
  name: string;
  kind: 'unit' | 'overlay';
  needs: readonly NeedSpec[];
}

/** Where a need is written, for diagnostics. */
export type NeedSite = (node: string, need: string) => { location?: SourceLocation; field?: string };

export interface BuildGraphOptions {
  /** Names that exist but were set aside for other errors: needs on them are not reported again. */
  alsoKnown?: Iterable<string>;
  needSite?: NeedSite;
}

/** An acyclic graph; an edge `a -> b` means a needs b (its label says whether a restarts with b). */
export interface DependencyGraph {
  readonly graph: graphlib.Graph;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the graph, reporting every unknown need (with a suggestion) and every cycle as `a -> b -> a`. */
export const buildDependencyGraph = (nodes: readonly GraphNode[], options: BuildGraphOptions = {}): Result<DependencyGraph, Diagnostic[]> => {
  const graph = new graphlib.Graph({ directed: true });
  for (const node of nodes) graph.setNode(node.name, node.kind);
  const known = new Set([...nodes.map((n) => n.name), ...(options.alsoKnown ?? [])]);
  const site = options.needSite ?? (() => ({}));
  const diagnostics: Diagnostic[] = [];
  for (const node of nodes) {
    for (const need of node.needs) {
      if (graph.hasNode(need.name)) graph.setEdge(node.name, need.name, { restart: need.restart });
      else if (!known.has(need.name)) {
        const hint = didYouMean(need.name, graph.nodes());
        diagnostics.push({ severity: 'error', code: 'unknown-need', message: `\`${node.name}\` needs \`${need.name}\`, which is not a unit or overlay`, ...site(node.name, need.name), ...(hint ? { hint } : {}) });
      }
    }
  }
  for (const cycle of cyclesOf(graph)) {
    diagnostics.push({
      severity: 'error',
      code: 'dependency-cycle',
      message: `dependency cycle: ${cycle.join(' -> ')}`,
      ...site(cycle[0]!, cycle[1]!),
      hint: 'units in a cycle would wait for each other forever; remove one of these needs',
    });
  }
  return diagnostics.length > 0 ? err(diagnostics) : ok({ graph });
};

/** The graph of a resolved desired state (already checked by the loader). */
export const graphOfState = (state: Pick<DesiredState, 'units' | 'overlays'>): Result<DependencyGraph, Diagnostic[]> =>
  buildDependencyGraph([
    ...Object.values(state.units).map((u): GraphNode => ({ name: u.name, kind: 'unit', needs: u.needs })),
    ...Object.values(state.overlays).map((o): GraphNode => ({ name: o.name, kind: 'overlay', needs: o.needs })),
  ]);

/** Each cycle once, as a closed path starting at its alphabetically first member: [a, b, c, a]. */
const cyclesOf = (graph: graphlib.Graph): string[][] =>
  graphlib.alg
    .findCycles(graph)
    .map((members) => closedPath(graph, new Set(members)))
    .sort((a, b) => byName(a[0]!, b[0]!));

const closedPath = (graph: graphlib.Graph, members: Set<string>): string[] => {
  const start = [...members].sort(byName)[0]!;
  const seen = new Set<string>();
  const search = (node: string, path: string[]): string[] | undefined => {
    for (const next of (graph.successors(node) ?? []).filter((n) => members.has(n)).sort(byName)) {
      if (next === start) return [...path, start];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = search(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return search(start, [start]) ?? [start, start];
};

/** Every node after everything it needs; among nodes free to go, alphabetical. */
export const startOrder = ({ graph }: DependencyGraph): string[] => {
  const waiting = new Map(graph.nodes().map((n) => [n, new Set(graph.successors(n) ?? [])]));
  const ready = graph.nodes().filter((n) => waiting.get(n)!.size === 0).sort(byName);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    order.push(node);
    for (const dependent of graph.predecessors(node) ?? []) {
      const needs = waiting.get(dependent)!;
      needs.delete(node);
      if (needs.size === 0) ready.splice(sortedIndex(ready, dependent), 0, dependent);
    }
  }
  return order;
};

/** Dependents before what they need: the order to stop in. */
export const stopOrder = (graph: DependencyGraph): string[] => startOrder(graph).reverse();

/** Nodes that need `name` (directly, or through others when transitive), sorted. */
export const dependentsOf = ({ graph }: DependencyGraph, name: string, options: { transitive?: boolean } = {}): string[] =>
  options.transitive ? reach(name, (n) => graph.predecessors(n) ?? []) : [...(graph.predecessors(name) ?? [])].sort(byName);

/** Everything `name` waits for, directly or through others, sorted. */
export const transitiveNeeds = ({ graph }: DependencyGraph, name: string): string[] => reach(name, (n) => graph.successors(n) ?? []);

/** Units that declared `{ name, restart: true }` on `name`: they restart when it does. */
export const restartFollowersOf = ({ graph }: DependencyGraph, name: string): string[] =>
  (graph.predecessors(name) ?? []).filter((n) => (graph.edge(n, name) as { restart: boolean }).restart).sort(byName);

const reach = (from: string, next: (node: string) => string[]): string[] => {
  const seen = new Set<string>();
  const stack = [...next(from)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node) || node === from) continue;
    seen.add(node);
    stack.push(...next(node));
  }
  return [...seen].sort(byName);
};

const sortedIndex = (sorted: string[], value: string): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
};
