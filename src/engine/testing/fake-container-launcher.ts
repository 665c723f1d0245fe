// An in-memory ContainerLauncher for engine tests: records launches, stops and clean-ups; a container run's process
// is the fake runner's, so the test drives its exit as for any unit.

import type { UnitSpec } from '../../manifest/types.js';
import type { ProcessIdentity, ProcessRunner, StopOutcome } from '../../runtime/process-runner.js';
import type { ContainerLauncher, ContainerProcessLaunch } from '../container-launcher.js';

/** One launch() call: what the engine asked for. */
export interface RecordedContainerLaunch {
  unit: string;
  runId: string;
  argv: string[];
  env: Record<string, string>;
}

/**
 * Launches become `fake-podman run <name> [-e NAME]... -- <argv>` with cwd `/`:
 *   launcher.failNextLaunch('db', 'no podman');   // db's next launch throws Error('no podman')
 *   launcher.launches / stops / staleSweeps / removeAllCalls   // what the engine did
 *   launcher.leftovers = ['sbx-x']                 // what removeStale/removeAll report as removed
 */
export class FakeContainerLauncher implements ContainerLauncher {
  readonly launches: RecordedContainerLaunch[] = [];
  readonly stops: { unit: string; runId: string; timeoutMs: number }[] = [];
  /** The live run ids each removeStale() call was given. */
  readonly staleSweeps: string[][] = [];
  removeAllCalls = 0;
  leftovers: string[] = [];
  readonly #runner: ProcessRunner;
  readonly #failures = new Map<string, string>();

  constructor(runner: ProcessRunner) {
    this.#runner = runner;
  }

  /** The container name of a run. */
  static nameFor(unit: string, runId: string): string {
    return `fake-${unit}-${runId}`;
  }

  /** Makes the unit's next launch() throw with this message. */
  failNextLaunch(unit: string, message: string): void {
    this.#failures.set(unit, message);
  }

  launch(spec: UnitSpec, runId: string, env: Record<string, string>): ContainerProcessLaunch {
    const failure = this.#failures.get(spec.name);
    if (failure !== undefined) {
      this.#failures.delete(spec.name);
      throw new Error(failure);
    }
    this.launches.push({ unit: spec.name, runId, argv: [...spec.argv], env: { ...env } });
    const byName = Object.keys(env).sort().flatMap((name) => ['-e', name]);
    return { argv: ['fake-podman', 'run', FakeContainerLauncher.nameFor(spec.name, runId), ...byName, '--', ...spec.argv], env: { ...env }, cwd: '/' };
  }

  async stop(unit: string, runId: string, identity: ProcessIdentity, timeoutMs: number): Promise<StopOutcome> {
    this.stops.push({ unit, runId, timeoutMs });
    return this.#runner.stop(identity, timeoutMs);
  }

  async removeStale(liveRunIds: readonly string[]): Promise<string[]> {
    this.staleSweeps.push([...liveRunIds].sort());
    return this.leftovers;
  }

  async removeAll(): Promise<string[]> {
    this.removeAllCalls += 1;
    return this.leftovers;
  }
}
