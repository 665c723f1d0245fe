// The real daemon's dependencies: the local engine on the Linux runtime (container units through podman/docker), the
// manifest loader and API resolver, logs under .sbx/logs, and exec. The only place these concrete classes meet.

import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { LocalEngine } from '../engine/local-engine.js';
import { loadManifest, resolveUnitFromApi } from '../manifest/load.js';
import { FifoLogStore } from '../runtime/fifo-log-store.js';
import { FsOverlayCopier } from '../runtime/fs-overlay-copier.js';
import { LinuxProcessRunner } from '../runtime/linux-process-runner.js';
import { LoopbackPortAllocator } from '../runtime/loopback-port-allocator.js';
import { NetProber } from '../runtime/net-prober.js';
import { ProbeHealthMonitor } from '../runtime/probe-health-monitor.js';
import { systemClock } from '../shared/clock.js';
import { unitExecutor } from './container-exec.js';
import { ContainerUnits } from './container-units.js';
import type { DepsFactory } from './daemon.js';

/** Folder of the units' logs inside the state folder. */
export const LOGS_DIR = 'logs';

/** Builds the production dependencies for a daemon serving `stateDir`. */
export const localDeps: DepsFactory = async ({ stateDir, projectDir, logger, changed }) => {
  const logs = new FifoLogStore(join(stateDir, LOGS_DIR), { logger });
  // Scoped to the state folder, so a restarted daemon finds the runs its crashed predecessor never recorded.
  const scope = createHash('sha256').update(stateDir).digest('hex').slice(0, 16);
  const runner = new LinuxProcessRunner({ logger, scope });
  const containers = await ContainerUnits.create({ projectDir, stateDir, runner, logger });
  const engine = new LocalEngine({
    runner,
    logs,
    health: new ProbeHealthMonitor({ prober: new NetProber(), logger }),
    ports: new LoopbackPortAllocator(),
    overlays: new FsOverlayCopier(),
    clock: systemClock,
    logger,
    onChange: changed,
    project: basename(projectDir),
    containers,
  });
  return {
    engine,
    loadManifest,
    resolveUnit: resolveUnitFromApi,
    logs,
    executor: unitExecutor(containers),
    dispose: async () => {
      engine.close();
      await logs.close();
    },
  };
};
