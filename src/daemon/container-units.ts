// The engine's ContainerLauncher over the podman/docker driver, plus exec into a run's container. Built once per
// daemon: when no runtime can be used, container units fail with the reason and host units run as usual.

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { ContainerLauncher, ContainerProcessLaunch } from '../engine/container-launcher.js';
import type { UnitSpec } from '../manifest/types.js';
import { ContainerDriver, type ContainerExecResult } from '../runtime/container/container-driver.js';
import { ContainerError } from '../runtime/container/container-error.js';
import { detectContainerRuntime } from '../runtime/container/container-runtime.js';
import { stopContainerRun } from '../runtime/container/container-stop.js';
import type { ProcessIdentity, ProcessRunner, StopOutcome } from '../runtime/process-runner.js';
import type { Logger } from '../shared/logger.js';

/**
 * The project name the driver labels containers with: the folder's name (readable in `podman ps`) plus a hash of the
 * state folder, so two projects that share a folder name never see (or `down` removes) each other's containers.
 */
export const containerProjectName = (projectDir: string, stateDir: string): string =>
  `${basename(projectDir)} ${createHash('sha256').update(stateDir, 'utf8').digest('hex').slice(0, 8)}`;

/** What the daemon needs to build its container units. */
export interface ContainerUnitsOptions {
  projectDir: string;
  stateDir: string;
  runner: ProcessRunner;
  logger: Logger;
  /** sbx's environment: SBX_CONTAINER_* settings and what the CLI runs with (e.g. CONTAINERS_CONF). */
  env?: Record<string, string | undefined>;
}

/** Container units for one daemon: launch and stop for the engine, exec for the API. */
export class ContainerUnits implements ContainerLauncher {
  /** The driver, or why container units cannot run here. */
  readonly #driver: ContainerDriver | ContainerError;
  readonly #runner: ProcessRunner;
  readonly #logger: Logger;
  /** Runs launched by this daemon and not yet stopped: a stale sweep never removes their containers. */
  readonly #launched = new Set<string>();

  constructor(driver: ContainerDriver | ContainerError, runner: ProcessRunner, logger: Logger) {
    this.#driver = driver;
    this.#runner = runner;
    this.#logger = logger;
  }

  /** Detects podman/docker from the environment; a missing or misconfigured runtime is kept as the reason. */
  static async create(options: ContainerUnitsOptions): Promise<ContainerUnits> {
    const env = options.env ?? process.env;
    let driver: ContainerDriver | ContainerError;
    try {
      const runtime = await detectContainerRuntime(env);
      const project = containerProjectName(options.projectDir, options.stateDir);
      driver = new ContainerDriver({ runtime, project, projectDir: options.projectDir, env, logger: options.logger });
      options.logger.debug({ runtime: runtime.binary, network: runtime.network, project }, 'container runtime found');
    } catch (error) {
      if (!(error instanceof ContainerError)) throw error;
      driver = error;
      options.logger.debug({ reason: error.message }, 'no container runtime; container units will fail');
    }
    return new ContainerUnits(driver, options.runner, options.logger);
  }

  /** The driver; throws the detection error when there is none. */
  get driver(): ContainerDriver {
    if (this.#driver instanceof ContainerError) throw this.#driver;
    return this.#driver;
  }

  launch(spec: UnitSpec, runId: string, env: Record<string, string>): ContainerProcessLaunch {
    const launch = this.driver.launch(spec, runId, env);
    this.#launched.add(runId);
    return { argv: launch.argv, env: launch.env, cwd: launch.cwd };
  }

  async stop(unit: string, runId: string, identity: ProcessIdentity, timeoutMs: number): Promise<StopOutcome> {
    if (this.#driver instanceof ContainerError) {
      // A run adopted from a daemon that had a runtime: only its CLI process can be stopped from here.
      this.#logger.warn({ unit, reason: this.#driver.message }, 'stopping a container run without a container runtime: its container may be left');
      return this.#runner.stop(identity, timeoutMs);
    }
    try {
      return await stopContainerRun(this.#driver, this.#runner, this.#driver.nameFor(unit, runId), identity, timeoutMs);
    } finally {
      this.#launched.delete(runId);
    }
  }

  async removeStale(liveRunIds: readonly string[]): Promise<string[]> {
    if (this.#driver instanceof ContainerError) return [];
    const driver = this.#driver;
    const found = await driver.list();
    // Checked after listing: a run launched meanwhile is in #launched before its container can exist.
    const stale = found.filter((info) => !liveRunIds.includes(info.runId) && !this.#launched.has(info.runId));
    await Promise.all(stale.map((info) => driver.remove(info.name)));
    return stale.map((info) => info.name);
  }

  async removeAll(): Promise<string[]> {
    if (this.#driver instanceof ContainerError) return [];
    return this.#driver.removeAll();
  }

  /** Runs cmd (argv) in the container of the unit's run; rejects with ContainerError (`not-running`, `bad-spec`...). */
  exec(unit: string, runId: string, cmd: readonly string[], timeoutMs: number): Promise<ContainerExecResult> {
    const driver = this.driver;
    return driver.exec(driver.nameFor(unit, runId), cmd, timeoutMs);
  }
}
