// Deterministic dependency order for the planner: what a unit needs comes first, ties broken by name.

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders names so that every name comes after the names it needs (among `names`; unknown needs are ignored).
 * Among names that are free to go, the alphabetically first goes first. A cycle (the loader rejects them, so only
 * hand-made states have one) never throws: its alphabetically first member is placed and the walk goes on.
 */
export const dependencyOrder = (names: readonly string[], needsOf: (name: string) => readonly string[]): string[] => {
  const known = new Set(names);
  const waitingOn = new Map<string, Set<string>>();
  const dependents = new Map<string, string[]>();
  for (const name of known) {
    const needs = new Set(needsOf(name).filter((need) => known.has(need) && need !== name));
    waitingOn.set(name, needs);
    for (const need of needs) dependents.set(need, [...(dependents.get(need) ?? []), name]);
  }
  const order: string[] = [];
  const remaining = new Set(known);
  while (remaining.size > 0) {
    const free = [...remaining].filter((name) => waitingOn.get(name)?.size === 0).sort(byName);
    const next = free.length > 0 ? free : [[...remaining].sort(byName)[0] as string];
    for (const name of next) {
      remaining.delete(name);
      order.push(name);
      for (const dependent of dependents.get(name) ?? []) waitingOn.get(dependent)?.delete(name);
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
