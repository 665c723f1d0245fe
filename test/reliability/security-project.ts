// A temp project for the security scenarios (S25–S29): the real `sbx` CLI run in it (which starts the real daemon on
// demand), a tag variable every process of the project inherits (daemon and units) for the census, and every CLI
// output kept so a scenario can search it.

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ApiClient } from '../../src/daemon/api-client.js';
import { eventually } from '../helpers/eventually.js';

/** The built CLI (the vitest global setup compiles dist/ first). */
export const SBX_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

/** The variable that marks every process of one project. */
export const TAG_VARIABLE = 'SBX_SEC_TAG';

/** What one CLI call did. */
export interface SbxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Pids of live (non-zombie) processes whose environment holds `NAME=value`, this process excluded. */
export const pidsWithEnv = async (name: string, value: string): Promise<number[]> => {
  const wanted = `${name}=${value}`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(wanted)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
    pids.push(Number(entry));
  }
  return pids;
};

/** True while `pid` exists and is not a zombie. */
export const isAlive = async (pid: number): Promise<boolean> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
};

/** A temp project; create with SecProject.create, always end with teardown(). */
export class SecProject {
  /** Every CLI call's output, in order (for secret searches). */
  readonly outputs: string[] = [];

  private constructor(
    readonly dir: string,
    readonly tag: string,
  ) {}

  static async create(prefix = 'sbx-sec-'): Promise<SecProject> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    return new SecProject(dir, `${prefix}${process.pid}-${dir.slice(-6)}`);
  }

  /** A project in a folder made here (created; removed by teardown), e.g. inside a test's own workspace. */
  static async at(dir: string): Promise<SecProject> {
    await mkdir(dir, { recursive: true });
    return new SecProject(dir, `sbx-sec-${process.pid}-${randomUUID().slice(0, 8)}`);
  }

  get stateDir(): string {
    return join(this.dir, '.sbx');
  }

  /** Absolute path of a file in the project. */
  path(relative: string): string {
    return join(this.dir, relative);
  }

  /** Writes a file of the project (folders created), with a mode when given. */
  async write(relative: string, text: string, mode?: number): Promise<void> {
    await mkdir(dirname(this.path(relative)), { recursive: true });
    await writeFile(this.path(relative), text);
    if (mode !== undefined) await chmod(this.path(relative), mode);
  }

  /** The environment of every CLI call: ours without SBX_* settings, plus the tag and `extra`. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith('SBX_') && key !== 'FORCE_COLOR') env[key] = value;
    }
    return { ...env, NO_COLOR: '1', [TAG_VARIABLE]: this.tag, ...extra };
  }

  /** Runs `sbx ARGS` in the project folder; never rejects on a non-zero exit. */
  async sbx(args: string[], { env = {}, timeoutMs = 60_000 }: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<SbxResult> {
    const result = await execa(process.execPath, [SBX_BIN, ...args], {
      cwd: this.dir,
      env: this.env(env),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
    });
    this.outputs.push(`$ sbx ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
    if (result.timedOut) throw new Error(`sbx ${args.join(' ')} timed out after ${timeoutMs} ms; output:\n${result.stdout}\n${result.stderr}`);
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs `sbx ARGS` and fails with its output unless it exits 0. */
  async sbxOk(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<SbxResult> {
    const result = await this.sbx(args, options);
    if (result.exitCode !== 0) throw new Error(`sbx ${args.join(' ')} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** A client for the running daemon. */
  client(): Promise<ApiClient> {
    return ApiClient.forStateDir(this.stateDir);
  }

  /** The daemon's pid from its lock file, or null. */
  async daemonPid(): Promise<number | null> {
    const text = await readFile(join(this.stateDir, 'daemon.lock'), 'utf8').catch(() => '');
    const pid = text ? (JSON.parse(text) as { pid?: unknown }).pid : null;
    return typeof pid === 'number' && (await isAlive(pid)) ? pid : null;
  }

  /** SIGKILLs the daemon (units keep running) and waits until it is gone. */
  async killDaemon(): Promise<number> {
    const pid = await this.daemonPid();
    if (pid === null) throw new Error('no daemon runs');
    process.kill(pid, 'SIGKILL');
    await eventually(async () => !(await isAlive(pid)), { message: `daemon ${pid} to die` });
    return pid;
  }

  /** Every live process of this project (daemon and units). */
  census(): Promise<number[]> {
    return pidsWithEnv(TAG_VARIABLE, this.tag);
  }

  /** `sbx down`, then kills whatever of the project is left, removes the folder; throws if anything was left. */
  async teardown(): Promise<void> {
    let failure: string | null = null;
    const down = await this.sbx(['down'], { timeoutMs: 60_000 }).catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: String(error) }));
    if (down.exitCode !== 0) failure = `sbx down exited ${down.exitCode}: ${down.stdout}${down.stderr}`;
    let left: number[] = [];
    try {
      await eventually(async () => (left = await this.census()).length === 0, { timeoutMs: 15_000, message: 'no process left' });
    } catch {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      failure = `${failure ?? ''}\n${left.length} processes left behind after sbx down: ${left.join(', ')}`;
    }
    await rm(this.dir, { recursive: true, force: true });
    if (failure) throw new Error(failure.trim());
  }
}
