// The engine's stop for a container run, in the only order that leaves nothing: the container first (the runtime's
// TERM → timeout → KILL, then removal), then whatever is left of the CLI process, then one last removal in case the
// container was still being created when the stop began.

import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessIdentity, ProcessRunner, StopOutcome } from '../process-runner.js';
import { stopTimeoutSeconds } from './container-argv.js';
import type { ContainerDriver } from './container-driver.js';

/** How long the CLI process gets to exit on its own once its container is gone. */
export const CLI_STOP_GRACE_MS = 5000;
const CLI_EXIT_POLL_MS = 25;

/**
 * Stops one run of a container unit; resolves when the container no longer exists and no process of the run is
 * left. `escalated` is true when the CLI needed SIGKILL or the stop lasted the whole timeout (the runtime then
 * sent KILL to the container).
 */
export const stopContainerRun = async (
  driver: ContainerDriver,
  runner: ProcessRunner,
  name: string,
  identity: ProcessIdentity,
  timeoutMs: number,
): Promise<StopOutcome> => {
  const started = Date.now();
  await driver.stop(name, timeoutMs);
  // The CLI exits by itself (with the container's exit code) once its container is gone: let it, before signalling it.
  const deadline = Date.now() + CLI_STOP_GRACE_MS;
  while ((await runner.members(identity)).length > 0 && Date.now() < deadline) await delay(CLI_EXIT_POLL_MS);
  const cli = await runner.stop(identity, CLI_STOP_GRACE_MS);
  await driver.remove(name);
  const durationMs = Date.now() - started;
  return { escalated: cli.escalated || durationMs >= stopTimeoutSeconds(timeoutMs) * 1000, durationMs };
};
