// sbx as a bench peer: a generated sandbox.yaml, `sbx apply FILE` (starts the daemon on demand), `sbx down -f FILE`.
// Why: measures the product exactly as a user runs it, through the built CLI in dist/.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../lib/launch.mjs';
import { readStat } from '../lib/proc.mjs';
import { pollUntil } from '../lib/timing.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT_CLI = join(ROOT, 'dist/cli/bin.js');
// A private copy of the package (dist/, schemas/, package.json: what `npm pack` ships) for the whole bench run: other
// builds of dist/ during a run must not change what is measured (a CLI started while tsc rewrites dist/ can load half
// of two versions). It sits under bench/ so that its imports still resolve the repo's node_modules.
const SNAPSHOT = join(ROOT, 'bench', `.sbx-snapshot-${process.pid}`);
/** Why: the CLI under test (inside the snapshot once ensure() ran). */
export let SBX_CLI = BUILT_CLI;

const q = (s) => JSON.stringify(s);

/** Why: the manifest for N units; `chain` makes unit i need unit i-1; restarts are immediate (as the peers'). */
export function manifestFor(units, { chain }) {
  const lines = ['version: 1', 'name: bench', 'services:'];
  units.forEach((u, i) => {
    lines.push(
      `  ${u.name}:`,
      `    cmd: ${q(u.argv[0])}`,
      `    args: [${u.argv.slice(1).map(q).join(', ')}]`,
      `    env: { BENCH_RUN: ${q(u.env.BENCH_RUN)}, BENCH_TAG: ${q(u.env.BENCH_TAG)} }`,
      '    restart_policy: always',
      '    restart_delay_ms: 0',
    );
    const prev = units[i - 1];
    if (chain && prev) lines.push(`    needs: [${prev.name}]`);
  });
  return `${lines.join('\n')}\n`;
}

const file = (run) => join(run.dir, 'sandbox.yaml');
const cli = (run, args, name) =>
  launch([process.execPath, SBX_CLI, ...args], { cwd: run.dir, env: run.env, logFile: join(run.dir, `${name}.log`) });

/** Why: the peer interface every adapter implements (see bench/run.mjs). */
export const sbx = {
  name: 'sbx',
  chain: true,
  startReturns: true,

  /** Why: refuse to run against a missing build, and name the exact version measured. */
  async ensure() {
    if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first`);
    const built = statSync(BUILT_CLI).mtime.toISOString();
    for (const part of ['dist', 'schemas', 'package.json']) cpSync(join(ROOT, part), join(SNAPSHOT, part), { recursive: true });
    SBX_CLI = join(SNAPSHOT, 'dist/cli/bin.js');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    let rev = '';
    try {
      rev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      /* not a git checkout */
    }
    return { version: `${pkg.version}${rev ? ` (${rev}, dist built ${built})` : ''}`, installed: null };
  },

  /** Why: the snapshot of dist/ goes away with the run. */
  dispose() {
    rmSync(SNAPSHOT, { recursive: true, force: true });
  },

  write(run, units, opts) {
    writeFileSync(file(run), manifestFor(units, opts));
  },

  start: (run) => cli(run, ['apply', file(run), '--timeout', '600s'], 'apply'),

  /** Why: the second apply of an unchanged manifest (the no-op apply workload). */
  noop: (run) => cli(run, ['apply', file(run), '--timeout', '600s'], 'noop'),

  stop: (run) => cli(run, ['down', '-f', file(run)], 'down'),

  /** Why: the supervisor is the daemon (pid in .sbx/daemon.lock), not the units. */
  async supervisors(run) {
    const lock = join(run.dir, '.sbx', 'daemon.lock');
    const found = await pollUntil(
      () => {
        try {
          const { pid } = JSON.parse(readFileSync(lock, 'utf8'));
          const st = readStat(pid);
          return st ? [{ pid, start: st.start, comm: st.comm }] : undefined;
        } catch {
          return undefined;
        }
      },
      { intervalMs: 20, timeoutMs: 10_000 },
    );
    return found.value ?? [];
  },
};
