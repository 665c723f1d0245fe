import { describe, expect, it } from 'vitest';
import type { NeedSpec } from '../manifest/types.js';
import { buildDependencyGraph, dependentsOf, graphOfState, restartFollowersOf, startOrder, stopOrder, transitiveNeeds, type GraphNode } from './dependency-graph.js';

const need = (name: string, restart = false): NeedSpec => ({ name, restart });
const unit = (name: string, ...needs: (string | NeedSpec)[]): GraphNode => ({ name, kind: 'unit', needs: needs.map((n) => (typeof n === 'string' ? need(n) : n)) });
const overlay = (name: string, ...needs: string[]): GraphNode => ({ name, kind: 'overlay', needs: needs.map((n) => need(n)) });

const graphOf = (nodes: GraphNode[]) => {
  const result = buildDependencyGraph(nodes);
  if (!result.ok) throw new Error(result.error.map((d) => d.message).join('; '));
  return result.value;
};

describe('buildDependencyGraph: errors', () => {
  it.each([
    ['an unknown need, with a suggestion', [unit('app', 'postgress'), unit('postgres')], ['`app` needs `postgress`, which is not a unit or overlay'], 'did you mean `postgres`?'],
    ['a self need', [unit('a', 'a')], ['dependency cycle: a -> a'], undefined],
    ['a 2-cycle', [unit('b', 'a'), unit('a', 'b')], ['dependency cycle: a -> b -> a'], undefined],
    ['a 3-cycle, from its alphabetically first unit', [unit('c', 'a'), unit('b', 'c'), unit('a', 'b')], ['dependency cycle: a -> b -> c -> a'], undefined],
    ['two separate cycles', [unit('a', 'b'), unit('b', 'a'), unit('x', 'y'), unit('y', 'x'), unit('free')], ['dependency cycle: a -> b -> a', 'dependency cycle: x -> y -> x'], undefined],
    ['a cycle through an overlay', [unit('a', 'o'), overlay('o', 'a')], ['dependency cycle: a -> o -> a'], undefined],
  ])('reports %s', (_what, nodes, messages, hint) => {
    const result = buildDependencyGraph(nodes);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((d) => d.message)).toEqual(messages);
    if (hint) expect(result.error[0]?.hint).toBe(hint);
  });

  it('prints a simple cycle inside a larger tangle', () => {
    const result = buildDependencyGraph([unit('a', 'b', 'c'), unit('b', 'c'), unit('c', 'a')]);
    expect(!result.ok && result.error.map((d) => d.message)).toEqual(['dependency cycle: a -> b -> c -> a']);
  });

  it('locates problems through needSite', () => {
    const result = buildDependencyGraph([unit('a', 'b'), unit('b', 'a')], { needSite: (node, target) => ({ field: `${node}.needs.${target}`, location: { file: 'f', line: 1, col: 1 } }) });
    expect(!result.ok && result.error[0]).toMatchObject({ field: 'a.needs.b', location: { file: 'f' }, code: 'dependency-cycle' });
  });

  it('does not report needs on names known to exist elsewhere', () => {
    expect(buildDependencyGraph([unit('a', 'broken')], { alsoKnown: ['broken'] }).ok).toBe(true);
  });
});

describe('orders and queries', () => {
  //   web -> api -> db        worker -> db        web -> tpl (overlay) -> (nothing)
  const g = graphOf([unit('web', 'api', 'tpl'), unit('api', need('db', true)), unit('worker', 'db'), unit('db'), overlay('tpl'), unit('lonely')]);

  it('starts what is needed first, alphabetically among the free', () => {
    expect(startOrder(g)).toEqual(['db', 'api', 'lonely', 'tpl', 'web', 'worker']);
  });

  it('stops dependents first', () => {
    const order = stopOrder(g);
    expect(order.indexOf('web')).toBeLessThan(order.indexOf('api'));
    expect(order.indexOf('api')).toBeLessThan(order.indexOf('db'));
    expect(order.indexOf('worker')).toBeLessThan(order.indexOf('db'));
  });

  it.each([
    ['db', ['api', 'worker'], ['api', 'web', 'worker']],
    ['api', ['web'], ['web']],
    ['web', [], []],
  ])('dependents of %s', (name, direct, transitive) => {
    expect(dependentsOf(g, name)).toEqual(direct);
    expect(dependentsOf(g, name, { transitive: true })).toEqual(transitive);
  });

  it.each([
    ['web', ['api', 'db', 'tpl']],
    ['db', []],
  ])('transitive needs of %s', (name, expected) => {
    expect(transitiveNeeds(g, name)).toEqual(expected);
  });

  it('knows who restarts with whom', () => {
    expect(restartFollowersOf(g, 'db')).toEqual(['api']);
    expect(restartFollowersOf(g, 'api')).toEqual([]);
  });

  it('builds from a desired state', () => {
    const spec = { name: 'a', needs: [need('o')] };
    const result = graphOfState({ units: { a: spec as never }, overlays: { o: { name: 'o', needs: [] } as never } });
    expect(result.ok && startOrder(result.value)).toEqual(['o', 'a']);
  });

  it('handles a long chain', () => {
    const chain = Array.from({ length: 2000 }, (_, i) => unit(`u${String(i).padStart(4, '0')}`, ...(i > 0 ? [`u${String(i - 1).padStart(4, '0')}`] : [])));
    expect(startOrder(graphOf(chain))[1999]).toBe('u1999');
  });
});
