// One bench run: its id, its temp folder, and the cleanup that leaves no process behind.
// Why: every step ends with a census by BENCH_RUN; leftovers are killed by pid and reported, never silently.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from './launch.mjs';
import { Census, sameProcessAlive } from './proc.mjs';

const active = new Set();

/** Why: a fresh run id (what BENCH_RUN carries) and folder for one measurement of one peer. */
export function newRun(peerName, keep = false) {
  const dir = mkdtempSync(join(tmpdir(), 'sbxb-'));
  const id = `${peerName}-${dir.slice(-6)}-${Date.now().toString(36)}`;
  const run = { id, dir, keep, env: cleanEnv(), census: new Census(id), supervisors: [], starter: null };
  active.add(run);
  return run;
}

const tryKill = (pid, signal) => {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
};

/**
 * Kills what a run left: workload processes (found by BENCH_RUN), supervisor processes still alive,
 * and the start command's process group. Removes the folder unless kept.
 * Why: each step must start on a clean machine, and a leftover is a finding to report.
 * @returns {{workload: {pid, comm, tag}[], supervisors: {pid, comm}[]}} what had to be killed.
 */
export function cleanupRun(run) {
  const killed = { workload: [], supervisors: [] };
  for (const s of run.supervisors) {
    if (sameProcessAlive(s) && tryKill(s.pid, 'SIGKILL')) killed.supervisors.push({ pid: s.pid, comm: s.comm });
  }
  if (run.starter && run.starter.result === null) tryKill(-run.starter.pid, 'SIGKILL');
  for (const p of run.census.scan()) {
    if (tryKill(p.pid, 'SIGKILL')) killed.workload.push({ pid: p.pid, comm: p.comm, tag: p.tag });
  }
  active.delete(run);
  if (!run.keep) rmSync(run.dir, { recursive: true, force: true });
  return killed;
}

/** Why: Ctrl-C or a crash of the harness must not leave hundreds of sleeps behind. */
export function cleanupAll() {
  const report = [];
  for (const run of [...active]) report.push({ run: run.id, ...cleanupRun(run) });
  return report;
}
