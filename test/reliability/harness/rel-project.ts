// One reliability-scenario project: a temp folder with its own sandbox.yaml and `.sbx/`, driven through the real CLI
// (dist/cli/bin.js) or the daemon API client. Every unit carries the census variable (set project-wide in the
// manifest), so the census finds a unit's processes whatever their parent or session; teardown stops the daemon,
// reports and kills any survivor, and removes the folder.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ApiClient } from '../../../src/daemon/api-client.js';
import { ensureDaemon, sbxBinPath } from '../../../src/daemon/ensure-daemon.js';
import { eventually } from '../../helpers/eventually.js';
import { CENSUS_VARIABLE, censusPids, newCensusValue } from '../../runtime/census.js';

/** The built CLI (the vitest global setup compiles dist/). */
export const SBX_BIN = fileURLToPath(new URL('../../../dist/cli/bin.js', import.meta.url));

/** Absolute path of a fixture in test/reliability/fixtures. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** What one CLI call did. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI's environment: ours without anything that would point sbx elsewhere, no colour. */
const cliEnv = (extra: Record<string, string>): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SBX_') && key !== 'FORCE_COLOR') env[key] = value;
  return { ...env, NO_COLOR: '1', ...extra };
};

/** True while pid exists and is not a zombie. */
export const isLive = async (pid: number): Promise<boolean> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
};

/** (pid, start time) of a live process, or null: the identity the anchors use (field 22 of /proc/PID/stat). */
export const identityOf = async (pid: number): Promise<string | null> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' ? null : `${pid}:${fields[19]}`;
};

const kill = (pid: number, signal: NodeJS.Signals = 'SIGKILL'): void => {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
};

/** A temp project; always end with teardown(). */
export class RelProject {
  readonly census = newCensusValue();
  readonly #daemons = new Set<number>();
  #client: ApiClient | null = null;

  private constructor(
    readonly dir: string,
    readonly name: string,
  ) {}

  static async create(name: string): Promise<RelProject> {
    const dir = await mkdtemp(join(tmpdir(), `sbx-rel-${name}-`));
    await mkdir(join(dir, 'records'));
    return new RelProject(dir, name);
  }

  get stateDir(): string {
    return join(this.dir, '.sbx');
  }
  get manifestPath(): string {
    return join(this.dir, 'sandbox.yaml');
  }
  /** Where fixtures write their records. */
  get records(): string {
    return join(this.dir, 'records');
  }
  path(relative: string): string {
    return join(this.dir, relative);
  }

  async write(relative: string, text: string): Promise<void> {
    await mkdir(dirname(this.path(relative)), { recursive: true });
    await writeFile(this.path(relative), text);
  }

  /** Writes sandbox.yaml: version, name, the census variable and RECORD_DIR project-wide, then `body` (YAML lines). */
  async manifest(body: string | string[], environment: Record<string, string> = {}): Promise<void> {
    const env = { [CENSUS_VARIABLE]: this.census, RECORD_DIR: this.records, ...environment };
    const head = ['version: 1', `name: ${this.name}`, 'environment:', ...Object.entries(env).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)];
    await writeFile(this.manifestPath, [...head, ...(typeof body === 'string' ? [body] : body), ''].join('\n'));
  }

  /** Runs `sbx ARGS` in the project folder; never rejects on a non-zero exit. */
  async sbx(args: string[], { timeoutMs = 120_000, env = {} }: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
    const began = performance.now();
    const result = await execa(process.execPath, [SBX_BIN, ...args], { cwd: this.dir, env: cliEnv(env), extendEnv: false, reject: false, stdin: 'ignore', timeout: timeoutMs });
    if (result.timedOut) throw new Error(`sbx ${args.join(' ')} timed out after ${timeoutMs} ms:\n${result.stdout}\n${result.stderr}`);
    const out = { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - began };
    await this.#noteDaemon();
    return out;
  }

  /**
   * Starts `sbx ARGS` in the project folder with its stdout going to the file `stdoutPath` (e.g. `sbx logs -f`), at
   * the scheduling niceness `nice` (0: as this process).
   */
  spawnSbx(args: string[], stdoutPath: string, { nice = 0 }: { nice?: number } = {}): ChildProcess {
    const out = openSync(stdoutPath, 'w');
    try {
      const argv = [process.execPath, SBX_BIN, ...args];
      const [file, ...rest] = nice === 0 ? argv : ['nice', '-n', String(nice), ...argv];
      return spawn(file!, rest, { cwd: this.dir, env: cliEnv({}), stdio: ['ignore', out, 'ignore'] });
    } finally {
      closeSync(out);
    }
  }

  /** `sbx ARGS`, failing with its output unless it exits 0. */
  async sbxOk(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
    const result = await this.sbx(args, options);
    if (result.exitCode !== 0) throw new Error(`sbx ${args.join(' ')} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** A client for the project's daemon, starting one (with `env` added to its environment) if none answers. */
  async client(env: Record<string, string> = {}): Promise<ApiClient> {
    const command = Object.keys(env).length === 0 ? undefined : ['/usr/bin/env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, sbxBinPath(), 'daemon', '--state-dir', this.stateDir, this.manifestPath];
    this.#client = await ensureDaemon({ stateDir: this.stateDir, manifestPath: this.manifestPath, timeoutMs: 60_000, ...(command ? { command } : {}) });
    await this.#noteDaemon();
    return this.#client;
  }

  /** The pid of the daemon that answers now. */
  async daemonPid(): Promise<number> {
    const client = this.#client ?? (await this.client());
    const pid = (await client.health()).pid;
    this.#daemons.add(pid);
    return pid;
  }

  /** SIGKILLs the daemon and waits until it is gone (its units keep running). */
  async killDaemon(): Promise<number> {
    const pid = await this.daemonPid();
    kill(pid);
    await eventually(async () => !(await isLive(pid)), { timeoutMs: 10_000, message: `daemon ${pid} gone` });
    return pid;
  }

  /** Live processes carrying this project's census variable (every unit process, however it detached). */
  censusPids(): number[] {
    return censusPids(this.census);
  }

  /** Reads a record file of the fixtures (empty when missing), as lines. */
  async recordLines(name: string): Promise<string[]> {
    const text = await readFile(join(this.records, name), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '');
  }

  /** Stops everything, then returns how many unit processes had to be killed by force (0 = sbx left none behind). */
  async teardown(): Promise<number> {
    await this.#noteDaemon();
    const client = this.#client ?? (await ApiClient.forStateDir(this.stateDir).catch(() => null));
    if (client) await client.shutdown({ stop_units: true }).catch(() => undefined);
    for (const pid of this.#daemons) await eventually(async () => !(await isLive(pid)), { timeoutMs: 30_000 }).catch(() => kill(pid));
    let survivors = this.censusPids();
    if (survivors.length > 0) {
      await eventually(() => (survivors = this.censusPids()).length === 0, { timeoutMs: 15_000 }).catch(() => undefined);
    }
    for (const pid of survivors) kill(pid);
    for (const pid of this.#daemons) kill(pid);
    await rm(this.dir, { recursive: true, force: true });
    return survivors.length;
  }

  /** Remembers the pid of whichever daemon answers (CLI calls may have started one). */
  async #noteDaemon(): Promise<void> {
    try {
      const client = await ApiClient.forStateDir(this.stateDir);
      this.#daemons.add((await client.health({ timeoutMs: 2_000 })).pid);
    } catch {
      // none answers
    }
  }
}

/** Prints a scenario's measured figure (the line CI shows). */
export const figure = (line: string): void => {
  console.log(line);
};

/** The p-th percentile (0..100) of values, nearest rank. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** A port on 127.0.0.1 that was free a moment ago. */
export const freePort = async (): Promise<number> => {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
};

/**
 * Event-driven death watch: creates a FIFO at `path` and holds its read end open (non-blocking). A unit that opens it
 * for writing (`exec 3> "$FIFO"`) passes the write end to every descendant; `ended()` resolves with the wall-clock
 * time (ms, `Date.now()`, the clock the daemon logs with) at which the last holder died, with no polling. Arm it only after the unit has opened the FIFO.
 */
export const deathWatch = async (path: string): Promise<{ ended: () => Promise<number>; close: () => void }> => {
  const { execFileSync } = await import('node:child_process');
  const { openSync, closeSync, constants } = await import('node:fs');
  const { Socket } = await import('node:net');
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let socket: InstanceType<typeof Socket> | null = null;
  return {
    ended: () =>
      new Promise<number>((resolve) => {
        socket = new Socket({ fd, readable: true, writable: false });
        socket.on('data', () => undefined);
        socket.once('end', () => resolve(Date.now()));
        socket.once('close', () => resolve(Date.now()));
      }),
    close: () => {
      if (socket) socket.destroy();
      else closeSync(fd);
    },
  };
};

/** A unit's stored lines (oldest first; the last `tail` only when given), read from its files with the product's own reader. */
export const readUnitLog = async (unitDir: string, view: 'stdout' | 'stderr' | 'combined' = 'combined', tail?: number) => {
  const { existsSync, openSync } = await import('node:fs');
  const { readLines } = await import('../../../src/runtime/log-file-reader.js');
  const { DEFAULT_ROTATION, logGenerations } = await import('../../../src/runtime/log-rotation.js');
  const files = logGenerations(unitDir, DEFAULT_ROTATION.maxFiles)
    .filter((path) => existsSync(path))
    .map((path) => ({ fd: openSync(path, 'r'), end: null }));
  // readLines closes the fds.
  return readLines({ files }, view, tail);
};
