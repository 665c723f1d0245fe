// The real daemon's dependencies: the local engine on the Linux runtime, the manifest loader and API resolver,
// logs under .sbx/logs, and host exec. The only place these concrete classes meet.

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
import type { DepsFactory } from './daemon.js';
import { hostExecutor } from './host-exec.js';

/** Folder of the units' logs inside the state folder. */
export const LOGS_DIR = 'logs';

/** Builds the production dependencies for a daemon serving `stateDir`. */
export const localDeps: DepsFactory = async ({ stateDir, projectDir, logger, changed }) => {
  const logs = new FifoLogStore(join(stateDir, LOGS_DIR), { logger });
  const engine = new LocalEngine({
    runner: new LinuxProcessRunner({ logger }),
    logs,
    health: new ProbeHealthMonitor({ prober: new NetProber(), logger }),
    ports: new LoopbackPortAllocator(),
    overlays: new FsOverlayCopier(),
    clock: systemClock,
    logger,
    onChange: changed,
    project: basename(projectDir),
  });
  return {
    engine,
    loadManifest,
    resolveUnit: resolveUnitFromApi,
    logs,
    executor: hostExecutor,
    dispose: async () => {
      engine.close();
      await logs.close();
    },
  };
};
