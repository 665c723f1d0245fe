// The start sequence of one run: port → environment → install (if any) → spawn. Returns once the process exists.

import type { UnitSpec } from '../manifest/types.js';
import type { LogStore } from '../runtime/log-store.js';
import type { PortAllocator } from '../runtime/port-allocator.js';
import { SpawnError, type ExitInfo, type ProcessRunner, type RunningProcess } from '../runtime/process-runner.js';
import { NO_CONTAINER_LAUNCHER, type ContainerLauncher } from './container-launcher.js';
import { describeExit, isFailedExit } from './restart-policy.js';
import { substituteUnitRefs } from './unit-refs.js';

/** The effects a launch uses. */
export interface LaunchDeps {
  runner: ProcessRunner;
  logs: LogStore;
  ports: PortAllocator;
  /** Runs `container: true` units; without it they fail with a clear reason. */
  containers?: ContainerLauncher | undefined;
}

/** One launch: what to run, which run it is, what `${units.X...}` resolve to, and a signal to abandon it. */
export interface LaunchOrder {
  spec: UnitSpec;
  runId: string;
  refs: Record<string, string>;
  /** The port the unit had before (kept across restarts when the manifest does not pin one). */
  previousPort: number | null;
  signal: AbortSignal;
  /** Called when the install step finished and the main process is about to start. */
  onInstalled?: () => void;
  /** Called with true while the launch only waits for the install process to exit (nothing for sbx to do). */
  onWaiting?: (waiting: boolean) => void;
}

/** How a launch ended: a live process, a failure with its reason, or abandoned because the unit is being stopped. */
export type LaunchOutcome =
  | { kind: 'spawned'; process: RunningProcess; port: number | null }
  | { kind: 'failed'; reason: string; exit: ExitInfo | null }
  | { kind: 'aborted' };

/** Lines of the install's output quoted in its failure reason. */
const INSTALL_TAIL_LINES = 5;

/** The port a unit runs on: the manifest's (strict or next free), a server's previous or any free one, or none. */
const allocatePort = async (deps: LaunchDeps, order: LaunchOrder): Promise<{ port: number | null } | { error: string }> => {
  const { spec } = order;
  if (spec.port === null && spec.kind !== 'server') return { port: null };
  const result = await deps.ports.allocate(spec.name, spec.port ?? order.previousPort, spec.port !== null && spec.strict_port);
  return 'port' in result ? { port: result.port } : { error: result.error.message };
};

/** Variables whose value this daemon does not know (withheld from the state file, changed at their source since). */
const withheldNames = (spec: UnitSpec): string[] =>
  Object.entries(spec.env)
    .filter(([, variable]) => variable.withheld === true)
    .map(([name]) => name)
    .sort();

const withheldReason = (names: string[]): string =>
  `env ${names.join(', ')} changed at its source since the last apply and the daemon restarted in between ` +
  '(secret values are not kept on disk); run `sbx apply` to start it with the current values (an API unit: PUT it again)';

/** The final environment: merged values with references resolved, plus PORT. */
export const launchEnv = (spec: UnitSpec, refs: Record<string, string>, port: number | null): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [name, variable] of Object.entries(spec.env)) env[name] = substituteUnitRefs(variable.value, refs);
  if (port !== null) env.PORT = String(port);
  return env;
};

/** Where a process runs on the host: the unit's folder and user, or (container CLI) the launch's folder and sbx's user. */
interface HostPlace {
  cwd: string;
  user: string | null;
}

/** Spawns one process with the unit's cwd, user and env (or another place's), its output going to the unit's log. */
const spawnLogged = async (
  deps: LaunchDeps,
  spec: UnitSpec,
  runId: string,
  argv: string[],
  env: Record<string, string>,
  place: HostPlace = spec,
): Promise<RunningProcess> => {
  const sink = await deps.logs.open(spec.name, runId);
  try {
    return await deps.runner.start({ unit: spec.name, runId, argv, cwd: place.cwd, env, user: place.user, stdio: sink.stdio });
  } finally {
    sink.release();
  }
};

/** The main process of a run: the unit's argv on the host, or for a container unit the container CLI that runs it. Throws. */
const mainProcess = (deps: LaunchDeps, spec: UnitSpec, runId: string, argv: string[], env: Record<string, string>): HostPlace & { argv: string[]; env: Record<string, string> } => {
  if (!spec.container) return { argv, env, cwd: spec.cwd, user: spec.user };
  if (!deps.containers) throw new Error(NO_CONTAINER_LAUNCHER);
  const launch = deps.containers.launch({ ...spec, argv }, runId, env);
  return { argv: launch.argv, env: launch.env, cwd: launch.cwd, user: null };
};

/** Runs the install line to completion; null when it succeeded, else why it failed. */
const runInstall = async (deps: LaunchDeps, order: LaunchOrder, install: string, env: Record<string, string>): Promise<LaunchOutcome | null> => {
  const { spec, signal } = order;
  const runId = `${order.runId}-install`;
  deps.logs.note(spec.name, 'stdout', `sbx: install: ${install}`);
  const process = await spawnLogged(deps, spec, runId, ['/bin/sh', '-c', substituteUnitRefs(install, order.refs)], env);
  const abandon = (): void => void deps.runner.stop(process.identity, spec.stop_timeout_ms).catch(() => undefined);
  signal.addEventListener('abort', abandon, { once: true });
  order.onWaiting?.(true);
  const exit = await process.exited.finally(() => order.onWaiting?.(false));
  signal.removeEventListener('abort', abandon);
  await deps.runner.stop(process.identity, spec.stop_timeout_ms).catch(() => undefined);
  if (signal.aborted) return { kind: 'aborted' };
  if (!isFailedExit(exit)) return null;
  await deps.logs.drained(spec.name, runId);
  const tail = await deps.logs.read(spec.name, { stream: 'combined', tail: INSTALL_TAIL_LINES });
  const output = tail.map((line) => line.text).filter((text) => text.trim() !== '');
  const quoted = output.length > 0 ? ` (last output: ${output.join(' | ')})` : '';
  return { kind: 'failed', reason: `install ${describeExit(exit)}${quoted}`, exit };
};

/**
 * Starts one run. A failure at any step releases the port and says why; an abort (the unit is being stopped)
 * stops the install and returns `aborted`. The spawned process is the caller's to watch and stop.
 */
export const launchUnit = async (deps: LaunchDeps, order: LaunchOrder): Promise<LaunchOutcome> => {
  const { spec, signal } = order;
  const unknown = withheldNames(spec);
  if (unknown.length > 0) return { kind: 'failed', reason: withheldReason(unknown), exit: null };
  const allocated = await allocatePort(deps, order);
  if ('error' in allocated) return { kind: 'failed', reason: allocated.error, exit: null };
  const { port } = allocated;
  const fail = (outcome: LaunchOutcome): LaunchOutcome => {
    if (port !== null) deps.ports.release(spec.name);
    return outcome;
  };
  try {
    if (signal.aborted) return fail({ kind: 'aborted' });
    const env = launchEnv(spec, order.refs, port);
    if (spec.install) {
      const installed = await runInstall(deps, order, spec.install, env);
      if (installed) return fail(installed);
      order.onInstalled?.();
    }
    if (signal.aborted) return fail({ kind: 'aborted' });
    const argv = spec.argv.map((arg) => substituteUnitRefs(arg, order.refs));
    const main = mainProcess(deps, spec, order.runId, argv, env);
    const process = await spawnLogged(deps, spec, order.runId, main.argv, main.env, main);
    return { kind: 'spawned', process, port };
  } catch (error) {
    const reason = error instanceof SpawnError || error instanceof Error ? error.message : String(error);
    return fail({ kind: 'failed', reason, exit: null });
  }
};
