// One end-to-end project with container units: a temp folder with its own manifest and `.sbx/`, the real `sbx` CLI
// run in it with this machine's podman settings (CONTAINERS_CONF; the daemon inherits them when the CLI starts it),
// the project's containers found by their label, and a census of every host process it started.

import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ApiClient } from '../../src/daemon/api-client.js';
import type { StatusView, UnitStatusView } from '../../src/daemon/api-types.js';
import { containerProjectName } from '../../src/daemon/container-units.js';
import { projectKey, PROJECT_LABEL } from '../../src/runtime/container/container-naming.js';
import { eventually } from '../helpers/eventually.js';
import { censusPids, CENSUS_VARIABLE, newCensusValue } from '../runtime/census.js';
import type { PodmanFixture } from './podman-fixture.js';

/** The built CLI (the vitest global setup compiles dist/ first). */
const SBX_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

/** What one CLI call did. */
export interface SbxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A project folder driven through the CLI; create with ContainerProject.create, end with teardown(). */
export class ContainerProject {
  /** Marks the CLI, the daemon, the podman CLIs it runs and (through the manifest) the containers' processes. */
  readonly census = newCensusValue();

  private constructor(
    readonly dir: string,
    readonly podman: PodmanFixture,
    readonly settings: Record<string, string>,
  ) {}

  /**
   * A fresh folder holding sandbox.yaml, written by `manifest` from the census marker (put it in the containers' env);
   * `settings` are SBX_CONTAINER_* variables for the CLI (and so the daemon), SBX_CONTAINER_RUNTIME=podman by default.
   */
  static async create(podman: PodmanFixture, manifest: (census: string) => string, settings: Record<string, string> = {}): Promise<ContainerProject> {
    const project = new ContainerProject(await mkdtemp(join(tmpdir(), 'sbx-ce2e-')), podman, { SBX_CONTAINER_RUNTIME: 'podman', ...settings });
    await writeFile(join(project.dir, 'sandbox.yaml'), manifest(project.census));
    return project;
  }

  /** The state folder (`.sbx` beside the manifest). */
  get stateDir(): string {
    return join(this.dir, '.sbx');
  }

  /** The value of the project label (sbx.project) on this project's containers. */
  get label(): string {
    return `${PROJECT_LABEL}=${projectKey(containerProjectName(this.dir, this.stateDir))}`;
  }

  /** The environment of every CLI call: ours without SBX_* settings, plus podman's config and the census marker. */
  env(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.podman.env)) {
      if (value !== undefined && !key.startsWith('SBX_') && key !== 'FORCE_COLOR') env[key] = value;
    }
    return { ...env, NO_COLOR: '1', ...this.settings, [CENSUS_VARIABLE]: this.census };
  }

  /** Runs `sbx ARGS` in the project folder; never rejects on a non-zero exit. */
  async sbx(args: string[], { timeoutMs = 120_000 }: { timeoutMs?: number } = {}): Promise<SbxResult> {
    const result = await execa(process.execPath, [SBX_BIN, ...args], {
      cwd: this.dir,
      env: this.env(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
    });
    if (result.timedOut) throw new Error(`sbx ${args.join(' ')} timed out after ${timeoutMs} ms; output:\n${result.stdout}\n${result.stderr}`);
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs `sbx ARGS` and fails with its output (and the daemon's log) unless it exits 0. */
  async sbxOk(args: string[], options: { timeoutMs?: number } = {}): Promise<SbxResult> {
    const result = await this.sbx(args, options);
    if (result.exitCode !== 0) {
      throw new Error(`sbx ${args.join(' ')} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}\ndaemon log tail:\n${await this.daemonLogTail()}`);
    }
    return result;
  }

  /** The API client of the project's daemon (running). */
  client(): Promise<ApiClient> {
    return ApiClient.forStateDir(this.stateDir);
  }

  /**
   * Each unit's status row, by name (`GET /v1/status`; the API rather than `sbx status`, whose 2 s liveness check
   * reads a daemon slowed by a loaded machine as not running).
   */
  async units(): Promise<Record<string, UnitStatusView>> {
    const status: StatusView = await (await this.client()).status();
    return Object.fromEntries(status.units.map((unit) => [unit.name, unit]));
  }

  /** The project's containers in every state (`podman ps -a --filter label=sbx.project=...`), as `name state` lines. */
  containers(extraLabel?: string): string[] {
    const filters = [`--filter=label=${this.label}`, ...(extraLabel ? [`--filter=label=${extraLabel}`] : [])];
    const rows = JSON.parse(this.podman.podman(['ps', '--all', ...filters, '--format=json']) || '[]') as { Names?: string[]; State?: string }[];
    return rows.map((row) => `${row.Names?.[0] ?? '?'} ${row.State ?? '?'}`).sort();
  }

  /** The last lines of the daemon's own log (for failure messages). */
  async daemonLogTail(lines = 30): Promise<string> {
    const text = await readFile(join(this.stateDir, 'daemon.log'), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /**
   * afterAll: `sbx down` when a daemon may still run, then removes (and reports) any container or process of the
   * project that is left, and the folder.
   */
  async teardown(): Promise<{ containers: string[]; pids: number[] }> {
    await this.sbx(['down'], { timeoutMs: 120_000 }).catch(() => undefined);
    const containers = this.containers();
    for (const line of containers) this.podman.podman(['rm', '--force', '--ignore', '--time=0', '--', line.split(' ')[0] ?? '']);
    let pids: number[] = [];
    await eventually(() => (pids = censusPids(this.census)).length === 0, { timeoutMs: 15_000, message: 'no process left' }).catch(() => undefined);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(this.dir, { recursive: true, force: true });
    return { containers, pids };
  }
}
