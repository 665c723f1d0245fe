// A LocalEngine on the runtime fakes and a ManualClock, plus shortcuts the engine tests share.

import { FakeHealthMonitor } from '../../runtime/fakes/fake-health-monitor.js';
import { FakeLogStore } from '../../runtime/fakes/fake-log-store.js';
import { FakeOverlayCopier } from '../../runtime/fakes/fake-overlay-copier.js';
import { FakePortAllocator } from '../../runtime/fakes/fake-port-allocator.js';
import { FakeProcessRunner } from '../../runtime/fakes/fake-process-runner.js';
import type { ProcessIdentity } from '../../runtime/process-runner.js';
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/logger.js';
import type { EngineSnapshot } from '../engine-store.js';
import { LocalEngine } from '../local-engine.js';
import { FakeContainerLauncher } from './fake-container-launcher.js';
import type { EngineEvent, ObservedUnit } from '../types.js';

/** Everything a test needs to drive an engine. */
export interface EngineHarness {
  engine: LocalEngine;
  clock: ManualClock;
  runner: FakeProcessRunner;
  logs: FakeLogStore;
  health: FakeHealthMonitor;
  ports: FakePortAllocator;
  overlays: FakeOverlayCopier;
  /** The container launcher (container units run through it; stops go on to the fake runner). */
  containers: FakeContainerLauncher;
  events: EngineEvent[];
  /** Snapshots passed to onChange, oldest first. */
  changes: EngineSnapshot[];
  /** Lets every pass and action finish. */
  settle(): Promise<void>;
  /** A unit's observed state (throws when the engine has none). */
  unit(name: string): ObservedUnit;
  /** Units started through the runner, in order (install runs included, marked `name:install`). */
  startedUnits(): string[];
  /** Units the runner was asked to stop, in order. */
  stoppedUnits(): string[];
}

/**
 * Builds an engine on fresh fakes; `survivors` are runs left by an earlier daemon (for adopt tests); `containers:
 * false` builds it without a container launcher.
 */
export const engineHarness = (
  options: { survivors?: { unit: string; identity: ProcessIdentity }[]; clock?: ManualClock; containers?: boolean } = {},
): EngineHarness => {
  const clock = options.clock ?? new ManualClock(1_000_000);
  const runner = new FakeProcessRunner({ survivors: options.survivors ?? [] });
  const logs = new FakeLogStore(clock);
  const health = new FakeHealthMonitor({ now: () => clock.now() });
  const ports = new FakePortAllocator();
  const overlays = new FakeOverlayCopier();
  const containers = new FakeContainerLauncher(runner);
  const changes: EngineSnapshot[] = [];
  const engine = new LocalEngine({
    runner,
    logs,
    health,
    ports,
    overlays,
    clock,
    logger: silentLogger,
    onChange: (s) => changes.push(s),
    ...(options.containers === false ? {} : { containers }),
  });
  const events: EngineEvent[] = [];
  engine.subscribe((event) => events.push(event));
  return {
    engine,
    clock,
    runner,
    logs,
    health,
    ports,
    overlays,
    containers,
    events,
    changes,
    settle: () => engine.idle(),
    unit: (name) => {
      const unit = engine.snapshot().observed.units[name];
      if (!unit) throw new Error(`no observed unit ${name}`);
      return unit;
    },
    startedUnits: () => runner.started.map((r) => (r.runId.endsWith('-install') ? `${r.unit}:install` : r.unit)),
    stoppedUnits: () => runner.stops.map((s) => s.unit ?? '?'),
  };
};
