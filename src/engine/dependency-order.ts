// Deterministic dependency order for the planner: what a unit needs comes first, ties broken by name.

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A binary min-heap of names, so picking "the alphabetically first free name" costs log n, not a sort. */
class NameHeap {
  readonly #items: string[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(name: string): void {
    const items = this.#items;
    items.push(name);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (byName(items[parent] as string, items[i] as string) <= 0) break;
      [items[parent], items[i]] = [items[i] as string, items[parent] as string];
      i = parent;
    }
  }

  pop(): string | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && byName(items[left] as string, items[smallest] as string) < 0) smallest = left;
      if (right < items.length && byName(items[right] as string, items[smallest] as string) < 0) smallest = right;
      if (smallest === i) return top;
      [items[smallest], items[i]] = [items[i] as string, items[smallest] as string];
      i = smallest;
    }
  }
}

/**
 * Orders names so that every name comes after the names it needs (among `names`; unknown needs are ignored); among
 * the names free to go, the alphabetically first goes first (Kahn's algorithm with a heap: O((n + e) log n)).
 * A cycle (the loader rejects them, so only hand-made states have one) never throws: when nothing is free, the
 * alphabetically first name still waiting is placed and the walk goes on.
 */
export const dependencyOrder = (names: readonly string[], needsOf: (name: string) => readonly string[]): string[] => {
  const known = new Set(names);
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const name of known) {
    const needs = new Set(needsOf(name).filter((need) => known.has(need) && need !== name));
    waitingOn.set(name, needs.size);
    for (const need of needs) {
      const list = dependents.get(need);
      if (list) list.push(name);
      else dependents.set(need, [name]);
    }
  }
  const free = new NameHeap();
  for (const [name, count] of waitingOn) if (count === 0) free.push(name);
  const order: string[] = [];
  const placed = new Set<string>();
  let remaining: string[] | null = null;
  while (order.length < known.size) {
    let next = free.pop();
    if (next === undefined) {
      remaining ??= [...known].sort(byName);
      next = remaining.find((name) => !placed.has(name)) as string;
    }
    if (placed.has(next)) continue;
    placed.add(next);
    order.push(next);
    for (const dependent of dependents.get(next) ?? []) {
      const count = (waitingOn.get(dependent) ?? 0) - 1;
      waitingOn.set(dependent, count);
      if (count === 0 && !placed.has(dependent)) free.push(dependent);
    }
  }
  return order;
};

/** For each name, the names (among `names`) that need it, sorted. */
export const dependentsByName = (names: readonly string[], needsOf: (name: string) => readonly string[]): Map<string, string[]> => {
  const result = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const name of [...names].sort(byName)) {
    for (const need of new Set(needsOf(name))) result.get(need)?.push(name);
  }
  return result;
};
