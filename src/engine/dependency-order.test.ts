// dependencyOrder: needs first, ties by name, never throws on cycles or unknown names.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependencyOrder, dependentsByName } from './dependency-order.js';

const graph = (edges: Record<string, string[]>) => (name: string) => edges[name] ?? [];

describe('dependencyOrder', () => {
  it.each([
    ['independent names: alphabetical', ['c', 'a', 'b'], {}, ['a', 'b', 'c']],
    ['a chain: needs first', ['web', 'api', 'db'], { web: ['api'], api: ['db'] }, ['db', 'api', 'web']],
    ['a diamond', ['d', 'b', 'c', 'a'], { b: ['a'], c: ['a'], d: ['b', 'c'] }, ['a', 'b', 'c', 'd']],
    ['a free name goes as soon as it may', ['z', 'b', 'a'], { b: ['z'] }, ['a', 'z', 'b']],
    ['unknown needs are ignored', ['a'], { a: ['ghost'] }, ['a']],
    ['a cycle does not throw: the first waiting name breaks it', ['x', 'y', 'w'], { x: ['y'], y: ['x'], w: ['x'] }, ['w', 'x', 'y']],
  ])('%s', (_name, names, edges, expected) => {
    expect(dependencyOrder(names, graph(edges))).toEqual(expected);
  });

  it('puts every need before what needs it, for any acyclic graph', () => {
    const dag = fc.integer({ min: 1, max: 30 }).chain((n) =>
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 60 }).map((pairs) => {
        const names = Array.from({ length: n }, (_, i) => `u${i}`);
        const edges: Record<string, string[]> = {};
        // Only edges from a higher index to a lower one: acyclic by construction.
        for (const [a, b] of pairs) if (a > b) (edges[`u${a}`] ??= []).push(`u${b}`);
        return { names, edges };
      }),
    );
    fc.assert(
      fc.property(dag, ({ names, edges }) => {
        const order = dependencyOrder([...names].reverse(), graph(edges));
        const position = new Map(order.map((name, i) => [name, i]));
        expect(order).toHaveLength(names.length);
        for (const [name, needs] of Object.entries(edges)) for (const need of needs) expect(position.get(need)!).toBeLessThan(position.get(name)!);
      }),
    );
  });

  it('orders a chain of 5000 quickly', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `n${String(i).padStart(4, '0')}`);
    const edges = Object.fromEntries(names.slice(1).map((name, i) => [name, [names[i] as string]]));
    const started = performance.now();
    expect(dependencyOrder([...names].reverse(), graph(edges))).toEqual(names);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('dependentsByName', () => {
  it('lists what needs each name, sorted', () => {
    expect(Object.fromEntries(dependentsByName(['db', 'web', 'api'], graph({ web: ['db'], api: ['db'] })))).toEqual({ db: ['api', 'web'], web: [], api: [] });
  });
});
