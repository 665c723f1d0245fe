// Runs container units through podman or docker: builds the launch the process runner execs (`<cli> run ...`,
// attached, so the container's output is the run's output and its exit code the run's), stops and removes
// containers, execs into them with a hard timeout, and finds a project's leftovers by label.

import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { UnitSpec } from '../../manifest/types.js';
import { looksSecret } from '../../manifest/secret-names.js';
import { scanEnviron } from '../proc-scan.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { buildRunArgv, containerWorkdir, stopTimeoutSeconds } from './container-argv.js';
import {
  buildExecArgv,
  buildListArgv,
  buildRemoveArgv,
  buildStateArgv,
  buildStopArgv,
  EXEC_TAG_VARIABLE,
  parseContainerList,
  parseStateResult,
  type ContainerInfo,
} from './container-commands.js';
import { containerVariables, planContainerEnv } from './container-env.js';
import { ContainerError } from './container-error.js';
import { containerLabels, containerName, PROJECT_LABEL, projectKey, RUN_LABEL, UNIT_LABEL } from './container-naming.js';
import type { ContainerRuntime } from './container-runtime.js';

export type { ContainerInfo } from './container-commands.js';

/** Output kept per stream of an exec; past it the command is killed (as for host exec). */
export const MAX_CONTAINER_EXEC_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Extra time a CLI call gets beyond the work it was asked to do (podman start-up is slow on a loaded machine). */
const CLI_GRACE_MS = 30_000;
/** How long a removal may take to show before it is an error. */
const REMOVE_DEADLINE_MS = 15_000;
const POLL_MS = 50;

/** How the driver is set up: one per project. */
export interface ContainerDriverOptions {
  runtime: ContainerRuntime;
  /** The project's name (labels and names are derived from it). */
  project: string;
  /** The project folder: a unit whose cwd is only this default runs in the image's working directory. */
  projectDir?: string | null;
  /** The environment every CLI call runs with (sbx's own by default), e.g. with CONTAINERS_CONF. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

/** What the process runner should exec for one run (see ProcessRunner.start): never as another user, never in a shell. */
export interface ContainerLaunch {
  /** The container's name (for stop, exec and remove). */
  name: string;
  argv: string[];
  /** The CLI's environment, carrying the container's variables (their values are never on the command line). */
  env: Record<string, string>;
  /** The CLI's own working directory on the host (always exists). */
  cwd: string;
  /** The CLI runs as sbx's user; the unit's user applies inside the container. */
  user: null;
}

/** An exec's answer, shaped like the API's (exit_code null when it timed out). */
export interface ContainerExecResult {
  stdout: string;
  stderr: string;
  exit_code: number | null;
  timed_out: boolean;
}

/** Which of the project's containers to list or remove. */
export interface ContainerFilter {
  unit?: string;
  runId?: string;
}

interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';

/** Drives podman or docker for one project's container units. */
export class ContainerDriver {
  readonly runtime: ContainerRuntime;
  readonly project: string;
  readonly #projectDir: string | null;
  readonly #env: Record<string, string | undefined>;
  readonly #logger: Logger;

  constructor(options: ContainerDriverOptions) {
    this.runtime = options.runtime;
    this.project = options.project;
    this.#projectDir = options.projectDir ?? null;
    this.#env = options.env ?? process.env;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The container name of one run. */
  nameFor(unit: string, runId: string): string {
    return containerName(this.project, unit, runId);
  }

  /** The launch of one run: pass argv/env/cwd/user to ProcessRunner.start as they are. Throws ContainerError. */
  launch(spec: UnitSpec, runId: string, env: Record<string, string>): ContainerLaunch {
    if (!spec.container || spec.image === null) throw new ContainerError(`unit ${spec.name} is not a container unit (container: true with an image)`, 'bad-spec');
    const name = this.nameFor(spec.name, runId);
    const plan = planContainerEnv(spec.name, containerVariables(spec, env), this.#env, (variable) => spec.env[variable]?.secret ?? looksSecret(variable));
    const assigned = env.PORT !== undefined && /^\d+$/.test(env.PORT) ? Number(env.PORT) : spec.port;
    const ports = [assigned, spec.health_port].filter((port): port is number => port !== null);
    const argv = buildRunArgv({
      runtime: this.runtime,
      unit: spec.name,
      name,
      labels: containerLabels(this.project, spec.name, runId),
      image: spec.image,
      argv: spec.argv,
      workdir: containerWorkdir(spec.cwd, this.#projectDir),
      user: spec.user,
      stopTimeoutMs: spec.stop_timeout_ms,
      ports,
      env: plan,
    });
    return { name, argv, env: plan.processEnv, cwd: '/', user: null };
  }

  /** The `run` argv alone (the launch's env must go with it: see launch). */
  launchArgv(spec: UnitSpec, runId: string, env: Record<string, string>): string[] {
    return this.launch(spec, runId, env).argv;
  }

  /**
   * Stops the container (TERM, then KILL after timeoutMs rounded up to whole seconds) and removes it; resolves once
   * it no longer exists. A container that is already gone is fine.
   */
  async stop(name: string, timeoutMs: number): Promise<void> {
    const result = await this.#cli(buildStopArgv(this.runtime, name, timeoutMs), stopTimeoutSeconds(timeoutMs) * 1000 + CLI_GRACE_MS);
    if (result.exitCode !== 0) this.#logger.debug({ container: name, err: firstLine(result.stderr) }, 'container stop did not succeed; removing');
    await this.remove(name);
  }

  /** Removes the container at once (KILL if it still runs); resolves once it no longer exists. */
  async remove(name: string): Promise<void> {
    const deadline = Date.now() + REMOVE_DEADLINE_MS;
    for (;;) {
      const result = await this.#cli(buildRemoveArgv(this.runtime, name), CLI_GRACE_MS);
      const state = await this.state(name);
      if (state === null) return;
      if (Date.now() > deadline) {
        throw new ContainerError(`container ${name} still exists (${state}) after removal: ${firstLine(result.stderr)}`, 'runtime-failed');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 4));
    }
  }

  /** The container's state word (running, exited...), or null when it does not exist. */
  async state(name: string): Promise<string | null> {
    const result = await this.#cli(buildStateArgv(this.runtime, name), CLI_GRACE_MS);
    const state = parseStateResult(result.exitCode, result.stdout, result.stderr);
    if (state instanceof Error) throw new ContainerError(`cannot inspect container ${name}: ${state.message}`, 'runtime-failed');
    return state;
  }

  /**
   * Runs cmd (argv, never a shell) in the running container with its user, working directory and environment. At
   * timeoutMs every process the exec started is killed inside the container and `timed_out` is true.
   */
  async exec(name: string, cmd: readonly string[], timeoutMs: number): Promise<ContainerExecResult> {
    if (cmd.length === 0 || cmd.some((arg) => typeof arg !== 'string' || arg.includes('\0')) || cmd[0] === '') {
      throw new ContainerError('exec needs a command: a non-empty array of strings without NUL bytes, the first not empty', 'bad-spec');
    }
    const tag = randomBytes(12).toString('hex');
    const [file, ...args] = buildExecArgv(this.runtime, name, cmd, tag) as [string, ...string[]];
    const child = execa(file, args, {
      env: this.#cliEnv(),
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      stripFinalNewline: false,
      maxBuffer: MAX_CONTAINER_EXEC_OUTPUT_BYTES,
      encoding: 'utf8',
    });
    let timedOut = false;
    let killing: Promise<void> = Promise.resolve();
    const timer = setTimeout(() => {
      timedOut = true;
      killing = this.#killExec(tag, child);
    }, timeoutMs);
    const result = await child.finally(() => clearTimeout(timer));
    await killing;
    // Past the output cap execa kills only the CLI: what it started inside the container must go too.
    if (result.isMaxBuffer) await this.#killExec(tag, child);
    if (result.exitCode === undefined && result.signal === undefined && !timedOut) {
      throw new ContainerError(`cannot run ${file}: ${result.shortMessage}`, 'no-runtime');
    }
    const exitCode = result.exitCode ?? null;
    // The CLI's own failures (no such container, not running) share exit codes with commands: ask only then.
    const cliFailureCodes = this.runtime.kind === 'podman' ? [125] : [1, 125];
    if (!timedOut && exitCode !== null && cliFailureCodes.includes(exitCode) && (await this.state(name).catch(() => null)) !== 'running') {
      throw new ContainerError(`container ${name} is not running: ${firstLine(String(result.stderr ?? ''))}`, 'not-running');
    }
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exit_code: timedOut ? null : exitCode, timed_out: timedOut };
  }

  /** The project's containers (all states), optionally of one unit or run. */
  async list(filter: ContainerFilter = {}): Promise<ContainerInfo[]> {
    const labels: Record<string, string> = { [PROJECT_LABEL]: projectKey(this.project) };
    if (filter.unit !== undefined) labels[UNIT_LABEL] = filter.unit;
    if (filter.runId !== undefined) labels[RUN_LABEL] = filter.runId;
    const result = await this.#cli(buildListArgv(this.runtime, labels), CLI_GRACE_MS);
    if (result.exitCode !== 0) throw new ContainerError(`cannot list containers: ${firstLine(result.stderr)}`, 'runtime-failed');
    try {
      return parseContainerList(this.runtime, result.stdout);
    } catch (error) {
      throw new ContainerError(`cannot read the container list: ${(error as Error).message}`, 'runtime-failed');
    }
  }

  /** The running container of a unit (its current run), or null. */
  async findRunning(unit: string): Promise<ContainerInfo | null> {
    return (await this.list({ unit })).find((info) => info.state === 'running') ?? null;
  }

  /** Removes every container of the project (or of one unit/run) that is left, e.g. on `down`; returns their names. */
  async removeAll(filter: ContainerFilter = {}): Promise<string[]> {
    const found = await this.list(filter);
    await Promise.all(found.map((info) => this.remove(info.name)));
    return found.map((info) => info.name);
  }

  /** Removes the project's containers whose run is not one of liveRunIds (after a daemon restart adopted those); returns their names. */
  async removeStale(liveRunIds: Iterable<string>): Promise<string[]> {
    const live = new Set(liveRunIds);
    const stale = (await this.list()).filter((info) => !live.has(info.runId));
    await Promise.all(stale.map((info) => this.remove(info.name)));
    return stale.map((info) => info.name);
  }

  /** Kills, inside the container, every process carrying the exec's tag, until none is left and the exec's CLI has exited. */
  async #killExec(tag: string, child: { kill(signal?: NodeJS.Signals): boolean } & PromiseLike<unknown>): Promise<void> {
    let exited = false;
    void Promise.resolve(child).then(
      () => (exited = true),
      () => (exited = true),
    );
    const deadline = Date.now() + CLI_GRACE_MS / 3;
    for (;;) {
      const pids = (await scanEnviron(EXEC_TAG_VARIABLE)).get(tag) ?? [];
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (exited && pids.length === 0) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  #cliEnv(): Record<string, string> {
    return planContainerEnv('-', {}, this.#env).processEnv;
  }

  async #cli(argv: string[], timeoutMs: number): Promise<CliResult> {
    const [file, ...args] = argv as [string, ...string[]];
    const result = await execa(file, args, {
      env: this.#cliEnv(),
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      encoding: 'utf8',
    });
    if (result.exitCode === undefined && result.failed && !result.timedOut && result.signal === undefined) {
      throw new ContainerError(`cannot run ${file}: ${result.shortMessage}`, 'no-runtime');
    }
    return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  }
}
