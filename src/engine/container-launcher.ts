// The engine's seam for `container: true` units: what turns a run into a container CLI process and stops it. The
// daemon implements it over the podman/docker driver; the engine never imports container code.

import type { UnitSpec } from '../manifest/types.js';
import type { ProcessIdentity, ProcessRunner, StopOutcome } from '../runtime/process-runner.js';

/** What the process runner execs for a container run (the container CLI, attached; its exit is the container's). */
export interface ContainerProcessLaunch {
  argv: string[];
  /** The CLI's environment: the container's variables travel in it by name, so it must go with the argv. */
  env: Record<string, string>;
  /** The CLI's working directory on the host (the unit's working_dir applies inside the container). */
  cwd: string;
}

/** Runs, stops and cleans up container runs; the engine asks, the implementation knows podman or docker. */
export interface ContainerLauncher {
  /**
   * The launch of one run: `spec.argv` already has its `${units...}` references substituted, `env` is the final
   * environment (PORT included). Throws an Error whose message says why the unit cannot run as a container.
   */
  launch(spec: UnitSpec, runId: string, env: Record<string, string>): ContainerProcessLaunch;
  /** Stops the run: its container (TERM, timeoutMs, KILL, removal), then its CLI process; resolves when nothing is left. */
  stop(unit: string, runId: string, identity: ProcessIdentity, timeoutMs: number): Promise<StopOutcome>;
  /** Removes the project's containers whose run is not live (after a daemon restart adopted its runs); returns their names. */
  removeStale(liveRunIds: readonly string[]): Promise<string[]>;
  /** Removes every container of the project that is left (after every unit was stopped); returns their names. */
  removeAll(): Promise<string[]>;
}

/** The reason a container unit fails when the engine has no container launcher (a test or embedded engine). */
export const NO_CONTAINER_LAUNCHER = 'container units are not supported by this engine (no container runtime was given to it)';

/** Stops a run's processes: through the container launcher for container runs, else through the runner. */
export const stopRunProcesses = (
  deps: { runner: ProcessRunner; containers?: ContainerLauncher | undefined },
  run: { unit: string; runId: string; container: boolean; identity: ProcessIdentity },
  timeoutMs: number,
): Promise<StopOutcome> =>
  run.container && deps.containers
    ? deps.containers.stop(run.unit, run.runId, run.identity, timeoutMs)
    : deps.runner.stop(run.identity, timeoutMs);
