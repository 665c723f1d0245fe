// The CLI's way to a daemon: connect if one answers, else start one in the background (detached, output to
// .sbx/daemon.log) and wait until it answers. Ten racing callers end with one daemon: the losers' daemons exit.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient, ApiError } from './api-client.js';
import { LOG_FILE } from './daemon.js';
import { ensurePrivateDir } from './private-dir.js';
import { locateSocket } from './socket-path.js';

/** How to find or start a project's daemon. */
export interface EnsureDaemonOptions {
  stateDir: string;
  /** Passed to the daemon it starts (its default manifest). */
  manifestPath?: string | null;
  /** argv that starts a daemon for `stateDir` in the foreground; default `node <sbx bin> daemon --state-dir DIR [FILE]`. */
  command?: string[];
  /** Give up waiting after this long (default 15 s). */
  timeoutMs?: number;
}

/** How many times a daemon is spawned before giving up (a lost lock race, a daemon that exited at once). */
const MAX_SPAWNS = 3;

/** After our daemon lost the lock race, how long the winner gets to answer before we try again. */
const LOSER_GRACE_MS = 2_000;

/** The `sbx` executable next to this module (dist/cli/bin.js); from sources, the built one. */
export const sbxBinPath = (): string => {
  const sibling = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  return existsSync(sibling) ? sibling : fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
};

const answers = async (stateDir: string): Promise<ApiClient | null> => {
  const client = new ApiClient(await locateSocket(stateDir));
  try {
    await client.health({ timeoutMs: 2_000 });
    return client;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) return null;
    throw error;
  }
};

const tail = async (path: string, lines = 10): Promise<string> => {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
};

/** Starts one detached daemon with its output appended to the log; resolves with a promise of its exit code. */
const spawnDaemon = (argv: string[], logPath: string): Promise<number | null> => {
  const fd = openSync(logPath, 'a', 0o600);
  try {
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    return new Promise((done) => {
      child.once('exit', (code) => done(code));
      child.once('error', () => done(-1));
    });
  } finally {
    closeSync(fd);
  }
};

/** A client for the project's daemon, starting it if nothing answers. Rejects with ApiError when it cannot. */
export const ensureDaemon = async (options: EnsureDaemonOptions): Promise<ApiClient> => {
  const stateDir = resolve(options.stateDir);
  const running = await answers(stateDir);
  if (running) return running;
  await ensurePrivateDir(stateDir);
  const logPath = join(stateDir, LOG_FILE);
  const argv = options.command ?? [
    process.execPath,
    sbxBinPath(),
    'daemon',
    '--state-dir',
    stateDir,
    ...(options.manifestPath ? [resolve(options.manifestPath)] : []),
  ];
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let spawns = 0;
  let exit: { code: number | null; at: number } | null = null;
  const launch = (): void => {
    spawns++;
    exit = null;
    void spawnDaemon(argv, logPath).then((code) => (exit = { code, at: Date.now() }));
  };
  launch();
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 200)) {
    await new Promise((r) => setTimeout(r, delay));
    const client = await answers(stateDir);
    if (client) return client;
    const ended = exit as { code: number | null; at: number } | null;
    if (ended === null) continue;
    if (ended.code !== 0) {
      throw new ApiError(0, 'daemon-start-failed', `the daemon exited (code ${ended.code}) without answering; ${logPath} ends with:\n${await tail(logPath)}`);
    }
    // Exit 0: another daemon held the lock. Keep waiting for it; start again only if it never answers.
    if (Date.now() - ended.at > LOSER_GRACE_MS && spawns < MAX_SPAWNS) launch();
  }
  throw new ApiError(0, 'daemon-start-timeout', `no daemon answered within ${timeoutMs} ms; ${logPath} ends with:\n${await tail(logPath)}`);
};
