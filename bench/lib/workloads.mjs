// The workloads every peer runs, and the unit list a peer's config is generated from.
// Why: one definition of "N units of sleep" so every peer runs exactly the same processes.

import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/**
 * argv: what each unit runs. leaf: the comm of the process whose presence means "unit up".
 * child: the comm of the unit's own process (for the tree workload its leaf is a grandchild).
 */
export const WORKLOADS = {
  sleep: { argv: ['sleep', '3600'], child: 'sleep', leaf: 'sleep' },
  tree: { argv: ['sh', '-c', 'sleep 3600 & wait'], child: 'sh', leaf: 'sleep' },
};

/** Why: unit names sort in order and are valid for every peer (w000, w001, ...). */
export const unitName = (i) => `w${String(i).padStart(3, '0')}`;

/** Why: the N units of a run; each carries BENCH_RUN and BENCH_TAG so the census finds it. */
export function makeUnits(runId, n, workload) {
  const w = WORKLOADS[workload];
  if (!w) throw new Error(`unknown workload "${workload}" (expected ${Object.keys(WORKLOADS).join(', ')})`);
  return Array.from({ length: n }, (_, i) => ({
    name: unitName(i),
    argv: w.argv,
    env: { BENCH_RUN: runId, BENCH_TAG: unitName(i) },
  }));
}

/** Why: pm2 and supervisord are given absolute executables (as in the peer baseline). */
export function resolveExecutable(name) {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  throw new Error(`"${name}" is not on PATH`);
}
