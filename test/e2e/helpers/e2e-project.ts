// One end-to-end test project: a temp folder with its own manifest and `.sbx/`, the real `sbx` CLI run in it, and a
// census of every process it started (daemon and units inherit SBX_E2E_TAG from the CLI's environment).

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { StatusView, UnitStatusView } from '../../../src/daemon/api-types.js';
import { eventually } from '../../helpers/eventually.js';

/** The built CLI (the vitest global setup compiles dist/ first); SBX_E2E_BIN points at another build (e.g. a snapshot). */
export const SBX_BIN = process.env.SBX_E2E_BIN ?? fileURLToPath(new URL('../../../dist/cli/bin.js', import.meta.url));
/** The node fixture: HTTP health, counters, start/term records (see the file's header). */
export const UNIT_FIXTURE = fileURLToPath(new URL('../../fixtures/e2e/unit.mjs', import.meta.url));
/** The shell fixture: a counter that starts nothing but `sleep`. */
export const TICKER_FIXTURE = fileURLToPath(new URL('../../fixtures/e2e/ticker.sh', import.meta.url));
/** The variable that marks every process of one test project. */
export const TAG_VARIABLE = 'SBX_E2E_TAG';

/** What one CLI call did. */
export interface SbxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `sbx status --json`. */
export type StatusJson = StatusView & { running: boolean };

/** One line of events.log: `<epoch ms> <unit> <event>`. */
export interface RecordedEvent {
  at: number;
  unit: string;
  event: string;
}

/** The environment of every CLI call: ours, minus what would point sbx elsewhere, plus the tag. */
export const cliEnv = (tag: string, extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('SBX_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  return { ...env, NO_COLOR: '1', [TAG_VARIABLE]: tag, ...extra };
};

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

/** A temp project; create with E2eProject.create, always end with teardown(). */
export class E2eProject {
  private constructor(
    readonly dir: string,
    readonly tag: string,
  ) {}

  /** A fresh folder with a `records/` folder for the fixtures. */
  static async create(prefix = 'sbx-e2e-'): Promise<E2eProject> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    await mkdir(join(dir, 'records'));
    return new E2eProject(dir, `${prefix}${process.pid}-${dir.slice(-6)}`);
  }

  /** Where the fixtures write their records (RECORD_DIR). */
  get recordDir(): string {
    return join(this.dir, 'records');
  }

  /** Absolute path of a file in the project. */
  path(relative: string): string {
    return join(this.dir, relative);
  }

  /** Writes a file of the project (folders created). */
  async write(relative: string, text: string): Promise<void> {
    await mkdir(dirname(this.path(relative)), { recursive: true });
    await writeFile(this.path(relative), text);
  }

  /** Runs `sbx ARGS` in the project folder; never rejects on a non-zero exit. */
  async sbx(args: string[], { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<SbxResult> {
    const result = await execa(process.execPath, [SBX_BIN, ...args], {
      cwd: this.dir,
      env: cliEnv(this.tag),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
    });
    if (result.timedOut) throw new Error(`sbx ${args.join(' ')} timed out after ${timeoutMs} ms; output:\n${result.stdout}\n${result.stderr}`);
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs `sbx ARGS` and fails with its output unless it exits 0. */
  async sbxOk(args: string[], options: { timeoutMs?: number } = {}): Promise<SbxResult> {
    const result = await this.sbx(args, options);
    if (result.exitCode !== 0) throw new Error(`sbx ${args.join(' ')} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** `sbx status --json`. */
  async status(): Promise<StatusJson> {
    return JSON.parse((await this.sbxOk(['status', '--json'])).stdout) as StatusJson;
  }

  /** Each unit's status row, by name. */
  async units(): Promise<Record<string, UnitStatusView>> {
    return Object.fromEntries((await this.status()).units.map((unit) => [unit.name, unit]));
  }

  /** Each unit's pid, by name. */
  async pids(): Promise<Record<string, number | null>> {
    return Object.fromEntries(Object.entries(await this.units()).map(([name, unit]) => [name, unit.pid]));
  }

  /** Lines a fixture appended to `<unit>.starts` (one per start). */
  async starts(unit: string): Promise<string[]> {
    const text = await readFile(join(this.recordDir, `${unit}.starts`), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '');
  }

  /** events.log in the order the fixtures wrote it. */
  async events(): Promise<RecordedEvent[]> {
    const text = await readFile(join(this.recordDir, 'events.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [at, unit, event] = line.split(' ') as [string, string, string];
        return { at: Number(at), unit, event };
      });
  }

  /** Every live process of this project (daemon and units). */
  census(): Promise<number[]> {
    return pidsWithEnv(TAG_VARIABLE, this.tag);
  }

  /** `sbx down`, then checks that no process of the project is left (killing and reporting any), then removes the folder. */
  async teardown(): Promise<void> {
    let downFailure: string | null = null;
    try {
      const down = await this.sbx(['down'], { timeoutMs: 60_000 });
      if (down.exitCode !== 0) downFailure = `sbx down exited ${down.exitCode}: ${down.stdout}${down.stderr}`;
    } catch (error) {
      downFailure = error instanceof Error ? error.message : String(error);
    }
    let leftovers: number[] = [];
    try {
      await eventually(async () => (leftovers = await this.census()).length === 0, { timeoutMs: 15_000, message: 'no process left' });
    } catch {
      const described = await Promise.all(leftovers.map(async (pid) => `${pid}: ${(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')}`));
      for (const pid of leftovers) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      downFailure = `${downFailure ?? ''}\nprocesses left behind after sbx down:\n${described.join('\n')}`;
    }
    await rm(this.dir, { recursive: true, force: true });
    if (downFailure) throw new Error(downFailure.trim());
  }
}
