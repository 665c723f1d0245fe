// Steady state with N units per peer, all peers up at once: supervisor memory, idle CPU, restart after SIGKILL.
// Why: the peers sit idle in the same windows (same machine noise) and their kills are interleaved.

import { measureRespawn } from './respawn.mjs';
import { cleanupRun, newRun } from './run-context.mjs';
import { CLK_TCK } from './proc.mjs';
import { measureStop, startUnits, supervisorMemory, supervisorTicks } from './scenario.mjs';
import { sleep } from './timing.mjs';
import { WORKLOADS, unitName } from './workloads.mjs';

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

/**
 * Brings N `sleep` units up under every peer, settles, samples memory, measures idle CPU over `windows`
 * windows of `idleMs`, kills `kills` different units per peer (interleaved across peers, `gapMs` apart), stops.
 * Why: workloads 4 (restart) and 5 (memory, idle CPU) of the bench.
 */
export async function steadyAll(peers, { n, settleMs, idleMs, windows, kills, gapMs = 500, keep = false }, log) {
  const ctxs = [];
  try {
    for (const peer of peers) {
      const run = newRun(peer.name, keep);
      const ctx = { peer, run, result: { peer: peer.name, n, idle: [], restarts: [] } };
      ctxs.push(ctx);
      const up = await startUnits(peer, run, { n, workload: 'sleep' });
      Object.assign(ctx.result, up);
      log(`[steady N=${n}] ${peer.name}: up in ${up.upMs?.toFixed(0) ?? '–'} ms${up.error ? ` — ${up.error}` : ''}`);
    }
    const live = ctxs.filter((c) => c.result.error === undefined);
    await sleep(settleMs);
    for (const c of live) c.result.memory = supervisorMemory(c.run);
    for (let i = 0; i < windows; i++) {
      const before = live.map((c) => supervisorTicks(c.run));
      await sleep(idleMs);
      live.forEach((c, j) => {
        const ticks = supervisorTicks(c.run) - before[j];
        c.result.idle.push((ticks / CLK_TCK / (idleMs / 1000)) * 100);
      });
      log(`[steady N=${n}] idle window ${i + 1}/${windows}: ${live.map((c) => `${c.peer.name} ${c.result.idle.at(-1).toFixed(2)} %`).join(', ')}`);
    }
    const step = Math.max(1, Math.floor(n / kills));
    for (let i = 0; i < kills; i++) {
      const tag = unitName((i * step) % n);
      for (const c of rotate(live, i)) {
        const r = await measureRespawn(c.run, tag, WORKLOADS.sleep.leaf);
        c.result.restarts.push(r);
        await sleep(gapMs);
      }
    }
    for (const c of live) {
      const ok = c.result.restarts.filter((r) => r.ms !== null).length;
      log(`[steady N=${n}] ${c.peer.name}: ${ok}/${kills} restarted, memory ${c.result.memory.rssMiB.toFixed(1)} MiB RSS`);
    }
    for (const c of live) {
      c.result.stop = await measureStop(c.peer, c.run, 'sleep');
    }
  } finally {
    for (const c of ctxs) {
      c.result.cleanup = cleanupRun(c.run);
    }
  }
  return ctxs.map((c) => c.result);
}
