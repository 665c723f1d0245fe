// Spawning the peers' own commands (start, stop, apply) with their output sent to a file.
// Why: a command's output must never block it (no pipes), and every launch reports when it exited.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { now } from './timing.mjs';

/**
 * Starts argv in its own process group with stdout+stderr appended to logFile.
 * Why: the clock of a measurement starts right before this call; `exited` resolves with the exit and its time.
 * @returns {{pid: number, argv: string[], t0: number, result: null | {code, signal, ms}, exited: Promise<{code, signal, ms}>}}
 */
export function launch(argv, { cwd, env, logFile }) {
  const fd = openSync(logFile, 'a');
  const t0 = now();
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const handle = { pid: child.pid, argv, logFile, t0, result: null, exited: null };
  handle.exited = new Promise((resolve) => {
    child.on('error', (err) => {
      handle.result = { code: null, signal: null, ms: now() - t0, error: err.message };
      resolve(handle.result);
    });
    child.on('exit', (code, signal) => {
      handle.result = { code, signal, ms: now() - t0 };
      resolve(handle.result);
    });
  });
  return handle;
}

/** Why: run a command to completion (installs, version checks), failing loudly with its output file named. */
export async function runToEnd(argv, opts) {
  const h = launch(argv, opts);
  const r = await h.exited;
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code ?? r.signal ?? r.error}; output in ${opts.logFile}`);
  return r;
}

/** Why: the environment for peer commands: ours without any BENCH_* (only workloads carry those). */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TERM']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, NO_COLOR: '1', ...extra };
}
