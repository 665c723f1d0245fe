#!/usr/bin/env node
// sbx side by side with pm2 and supervisord, in one run, printed as ratios (sbx ÷ peer).
//
// Usage (from the repo root, after `npm run build`):
//   npm run bench                         full run (about 15 minutes on 2 cores)
//   node bench/run.mjs --quick            smoke run: N=10, one run, short windows (about 1–2 minutes)
//   node bench/run.mjs --n 10,100,500 --peers sbx,pm2,supervisord --runs 5 --out bench/results/x.json
//
// Flags:
//   --quick             short smoke run (defaults below become: --n 10 --runs 1 --tree-n 10 --tree-runs 1
//                       --steady-n 10 --idle 3 --windows 1 --kills 3 --settle 1)
//   --n LIST            cold-start sizes (default 10,100,500)
//   --peers LIST        any of sbx,pm2,supervisord (default all three)
//   --runs K            runs per cold-start size (default 5); peers are interleaved within each run, order rotated
//   --only LIST         workloads to run: cold,tree,steady (default all; cold includes chain and no-op)
//   --tree-n N / --tree-runs K    stop-with-grandchildren size and runs (default 100 / 3)
//   --steady-n N        units for memory, idle CPU and restart (default 100)
//   --idle S / --windows W        idle-CPU window length in seconds and count (default 20 / 3)
//   --kills K           units killed per peer for restart latency (default 20)
//   --settle S          seconds to wait after a cold start before sampling supervisor memory (default 3)
//   --out FILE          raw results as JSON (default bench/results/<date>-<time>.json)
//   --keep              keep each run's temp folder (configs, logs) for inspection
//
// Workloads (identical for every peer; every workload process carries BENCH_RUN=<run id> and BENCH_TAG=<unit>,
// which is how the /proc census finds it — no peer's own status is trusted):
//   1. cold start of N independent `sleep 3600` units: start command issued → all N alive (/proc scan every ~10 ms)
//   2. the same as a dependency chain (unit i needs i-1): sbx only; pm2 and supervisord have no ordering ("n/a")
//   3. no-op apply: `sbx apply` a second time on the N running units (sbx only)
//   4. restart: SIGKILL one unit's process (K different units) → a new live process with that tag (~1 ms resolution)
//   5. the supervisor's RSS, PSS (smaps_rollup) and idle CPU (utime+stime ticks) with 100 units
//   6. stop of 100 units whose process leaves a grandchild (`sh -c 'sleep 3600 & wait'`): stop time and leftovers
// Peers: sbx = `node dist/cli/bin.js apply FILE` / `down -f FILE`; pm2 7 (installed on demand into bench/.peers,
// never a project dependency) = `pm2 start apps.json` / `pm2 kill` with PM2_HOME per run; supervisord (Debian
// `supervisor`, apt-get installed on demand) = `supervisord -c FILE` (nodaemon) / `supervisorctl shutdown`.
// After every step, whatever still carries the run's BENCH_RUN (and a supervisor still running) is killed by pid
// and reported.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pm2Peer } from './peers/pm2.mjs';
import { SBX_CLI, sbx } from './peers/sbx.mjs';
import { supervisordPeer } from './peers/supervisord.mjs';
import { loadAverage } from './lib/proc.mjs';
import { renderReport } from './lib/report.mjs';
import { cleanupAll, cleanupRun, newRun } from './lib/run-context.mjs';
import { cliFloor, measureNoop, measureStop, startUnits, supervisorMemory } from './lib/scenario.mjs';
import { steadyAll } from './lib/steady.mjs';
import { sleep } from './lib/timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PEERS = { sbx, pm2: pm2Peer, supervisord: supervisordPeer };
const log = (msg) => console.log(msg);

function readOptions() {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      n: { type: 'string' },
      peers: { type: 'string', default: 'sbx,pm2,supervisord' },
      runs: { type: 'string' },
      only: { type: 'string', default: 'cold,tree,steady' },
      'tree-n': { type: 'string' },
      'tree-runs': { type: 'string' },
      'steady-n': { type: 'string' },
      idle: { type: 'string' },
      windows: { type: 'string' },
      kills: { type: 'string' },
      settle: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });

  const q = flags.quick;
  const int = (name, full, quick) => {
    const raw = flags[name];
    const v = raw === undefined ? (q ? quick : full) : Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} expects a whole number, got "${raw}"`);
    return v;
  };
  const list = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean);
  const options = {
    ns: (flags.n ? list(flags.n) : q ? ['10'] : ['10', '100', '500']).map(Number),
    peers: list(flags.peers),
    only: list(flags.only),
    runs: int('runs', 5, 1),
    treeN: int('tree-n', 100, 10),
    treeRuns: int('tree-runs', 3, 1),
    steadyN: int('steady-n', 100, 10),
    idle: int('idle', 20, 3),
    windows: int('windows', 3, 1),
    kills: int('kills', 20, 3),
    settle: int('settle', 3, 1),
    keep: flags.keep,
  };
  for (const p of options.peers) if (!PEERS[p]) throw new Error(`--peers: unknown peer "${p}" (expected sbx, pm2, supervisord)`);
  for (const n of options.ns) if (!Number.isInteger(n) || n < 1 || n > 999) throw new Error(`--n: "${n}" is not a size from 1 to 999`);
  for (const w of options.only) if (!['cold', 'tree', 'steady'].includes(w)) throw new Error(`--only: unknown workload "${w}" (expected cold, tree, steady)`);
  return { flags, options };
}

let flags;
let options;
try {
  ({ flags, options } = readOptions());
} catch (err) {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outFile = resolve(flags.out ?? join(HERE, 'results', `${stamp}.json`));

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);
const fmt = (v) => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`);

process.on('SIGINT', () => {
  log('\ninterrupted: cleaning up');
  for (const r of cleanupAll()) log(`  killed for ${r.run}: ${r.workload.length} workload, ${r.supervisors.length} supervisor processes`);
  sbx.dispose();
  process.exit(130);
});

/** A run that failed or did not stop keeps its folder (configs, the peer's own output) for the report. */
function keepIfFailed(run, entry) {
  if (entry.error !== undefined || entry.stop?.notFinished) {
    run.keep = true;
    entry.keptDir = run.dir;
  }
}

/** One cold start of one peer (independent or chain), then no-op apply (sbx), then a timed stop and cleanup. */
async function coldOnce(peer, n, variant, runIndex) {
  const run = newRun(peer.name, options.keep);
  const entry = { peer: peer.name, variant, n, run: runIndex, load: loadAverage() };
  try {
    Object.assign(entry, await startUnits(peer, run, { n, workload: 'sleep', chain: variant === 'chain' }));
    if (entry.error === undefined) {
      await sleep(options.settle * 1000);
      entry.memory = supervisorMemory(run);
      if (peer.noop && variant === 'independent') entry.noop = await measureNoop(peer, run, 'sleep');
    }
    entry.stop = await measureStop(peer, run, 'sleep');
  } catch (err) {
    entry.error = err instanceof Error ? err.message : String(err);
  } finally {
    keepIfFailed(run, entry);
    entry.cleanup = cleanupRun(run);
  }
  const noop = entry.noop ? `, no-op apply ${fmt(entry.noop.ms)}` : '';
  const left = entry.cleanup.workload.length + entry.cleanup.supervisors.length;
  log(
    `[cold ${variant} N=${n} run ${runIndex + 1}] ${peer.name}: up ${fmt(entry.upMs)}${noop}, stop ${fmt(entry.stop?.stopMs)}` +
      `${left ? `, harness killed ${left} leftovers` : ''}${entry.error ? ` — ERROR ${entry.error}` : ''}`,
  );
  return entry;
}

/** One stop-with-grandchildren measurement of one peer. */
async function treeOnce(peer, n, runIndex) {
  const run = newRun(peer.name, options.keep);
  const entry = { peer: peer.name, workload: 'tree', n, run: runIndex, load: loadAverage() };
  try {
    Object.assign(entry, await startUnits(peer, run, { n, workload: 'tree' }));
    if (entry.error === undefined) await sleep(2000);
    entry.stop = await measureStop(peer, run, 'tree');
  } catch (err) {
    entry.error = err instanceof Error ? err.message : String(err);
  } finally {
    keepIfFailed(run, entry);
    entry.cleanup = cleanupRun(run);
  }
  const s = entry.stop;
  log(
    `[tree N=${n} run ${runIndex + 1}] ${peer.name}: stop ${s?.notFinished ?? fmt(s?.stopMs)}, children gone ${fmt(s?.childrenGoneMs)}, ` +
      `left ${s ? `${s.left.children} children / ${s.left.grandchildren} grandchildren` : '–'}${entry.error ? ` — ERROR ${entry.error}` : ''}`,
  );
  return entry;
}

async function main() {
  const peers = options.peers.map((p) => PEERS[p]);
  const versions = {};
  const installed = [];
  for (const peer of peers) {
    const v = await peer.ensure(log);
    versions[peer.name] = v.version;
    if (v.installed) installed.push(v.installed);
    log(`${peer.name}: ${v.version}${v.installed ? ` (installed now: ${v.installed})` : ''}`);
  }
  const results = {
    meta: {
      date: new Date().toISOString(),
      command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { cpus: cpus().length, memGiB: +(totalmem() / 2 ** 30).toFixed(1), kernel: release(), node: process.version, loadavgAtStart: loadavg() },
      versions,
      installed,
      options: { ...options, peers: options.peers },
    },
    cliFloor: [],
    cold: [],
    tree: [],
    steady: [],
  };
  log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  if (options.only.includes('cold')) {
    const variants = peers.map((p) => [p, 'independent']);
    if (options.peers.includes('sbx')) variants.push([sbx, 'chain']);
    for (let r = 0; r < options.runs; r++) {
      if (options.peers.includes('sbx')) {
        const run = newRun('floor');
        results.cliFloor.push(await cliFloor([process.execPath, SBX_CLI, '--version'], run));
        cleanupRun(run);
      }
      for (const n of options.ns) {
        for (const [peer, variant] of rotate(variants, r)) results.cold.push(await coldOnce(peer, n, variant, r));
      }
    }
  }
  if (options.only.includes('tree')) {
    for (let r = 0; r < options.treeRuns; r++) {
      for (const peer of rotate(peers, r)) results.tree.push(await treeOnce(peer, options.treeN, r));
    }
  }
  if (options.only.includes('steady')) {
    const steadyOpts = { n: options.steadyN, settleMs: 5000, idleMs: options.idle * 1000, windows: options.windows, kills: options.kills, keep: options.keep };
    results.steady = await steadyAll(peers, steadyOpts, log);
  }
  results.meta.loadavgAtEnd = loadavg();
  for (const peer of peers) peer.dispose?.();

  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 1)}\n`);
  log('');
  log(`## bench: ${options.peers.join(", ")} — ${results.meta.date.slice(0, 10)}`);
  log(`Command: \`${results.meta.command}\`; ${results.meta.machine.cpus} cores, Node ${process.version}, ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`Load average (1 min) over the measurements: ${loadSummary(results)}`);
  log('');
  log(renderReport(results));
  log(`raw results: ${outFile}`);
}

function loadSummary(results) {
  const loads = [...results.cold, ...results.tree].map((e) => e.load).filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (loads.length === 0) return '–';
  return `median ${loads[Math.floor(loads.length / 2)].toFixed(2)}, min ${loads[0].toFixed(2)}, max ${loads.at(-1).toFixed(2)}`;
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  for (const r of cleanupAll()) console.error(`  killed for ${r.run}: ${r.workload.length} workload, ${r.supervisors.length} supervisor processes`);
  sbx.dispose();
  process.exit(1);
});
