// Shared setup for the container tests: a real podman, the real LinuxProcessRunner, one driver per test file with its
// own project (so the label census sees only this file's containers), and unit specs with test defaults.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvVar, UnitSpec } from '../../src/manifest/types.js';
import { ContainerDriver, type ContainerLaunch } from '../../src/runtime/container/container-driver.js';
import { detectContainerRuntime } from '../../src/runtime/container/container-runtime.js';
import { LinuxProcessRunner } from '../../src/runtime/linux-process-runner.js';
import type { RunningProcess, StopOutcome } from '../../src/runtime/process-runner.js';
import { stopContainerRun } from '../../src/runtime/container/container-stop.js';
import { CENSUS_VARIABLE, censusPids, newCensusValue } from '../runtime/census.js';
import { PodmanFixture, TEST_IMAGE } from './podman-fixture.js';

/** A manifest-declared variable. */
export const manifestVar = (value: string): EnvVar => ({ value, source: { kind: 'manifest', key: 'env' }, secret: false });

/** A container unit spec with test defaults (busybox image, project folder as cwd, 2 s stop timeout). */
export const containerSpec = (name: string, argv: string[], extra: Partial<UnitSpec> = {}): UnitSpec => ({
  name,
  kind: 'service',
  cmd: argv[0] ?? '',
  args: argv.slice(1),
  argv,
  install: null,
  cwd: PROJECT_DIR,
  env: {},
  env_files: [],
  user: null,
  port: null,
  strict_port: false,
  health_port: null,
  health_check: null,
  container: true,
  image: TEST_IMAGE,
  restart_policy: 'never',
  max_restarts: 0,
  restart_delay_ms: 1000,
  stop_timeout_ms: 2000,
  needs: [],
  overlays: [],
  fingerprint: 'test',
  ...extra,
});

/** The project folder the test specs default to (a host path the image does not have). */
export const PROJECT_DIR = '/srv/sbx-container-test-project';

/** One started run: its launch, its process and where its output goes. */
export interface StartedUnit {
  launch: ContainerLaunch;
  process: RunningProcess;
  stdout: string;
  stderr: string;
}

/** Real podman + runner + driver for one test file. */
export class ContainerHarness {
  readonly fixture = new PodmanFixture();
  readonly runner = new LinuxProcessRunner();
  readonly dir = mkdtempSync(join(tmpdir(), 'sbx-container-'));
  readonly project = `ctest ${randomUUID().slice(0, 8)}`;
  /** Marker in every test container's environment (and its CLI's), found by censusPids. */
  census = newCensusValue();
  driver!: ContainerDriver;
  #runs = 0;

  /** Prepares podman and the image (throws loudly when podman cannot run here) and detects the runtime. */
  async setup(env: Record<string, string | undefined> = {}): Promise<void> {
    this.fixture.prepare();
    this.driver = await this.makeDriver(env);
  }

  /** A driver for this project with extra SBX_CONTAINER_* settings (podman chosen explicitly). */
  async makeDriver(extra: Record<string, string | undefined>, base: Record<string, string | undefined> = this.fixture.env): Promise<ContainerDriver> {
    const env = { ...base, SBX_CONTAINER_RUNTIME: 'podman', ...extra };
    return new ContainerDriver({ runtime: await detectContainerRuntime(env), project: this.project, projectDir: PROJECT_DIR, env });
  }

  /** A run id unique in this file. */
  runId(): string {
    return `r${this.#runs++}${randomUUID().slice(0, 6)}`;
  }

  /** Launches the spec through the real runner, stdout and stderr to their own files; the census marker is added. */
  async start(spec: UnitSpec, options: { runId?: string; env?: Record<string, string>; driver?: ContainerDriver } = {}): Promise<StartedUnit> {
    const runId = options.runId ?? this.runId();
    const withCensus: UnitSpec = { ...spec, env: { ...spec.env, [CENSUS_VARIABLE]: manifestVar(this.census) } };
    const finalEnv: Record<string, string> = {};
    for (const [name, variable] of Object.entries(withCensus.env)) finalEnv[name] = variable.value;
    Object.assign(finalEnv, options.env ?? {});
    const launch = (options.driver ?? this.driver).launch(withCensus, runId, finalEnv);
    const stdout = join(this.dir, `${spec.name}-${runId}.out`);
    const stderr = join(this.dir, `${spec.name}-${runId}.err`);
    const out = openSync(stdout, 'a');
    const err = openSync(stderr, 'a');
    try {
      const process = await this.runner.start({ unit: spec.name, runId, argv: launch.argv, cwd: launch.cwd, env: launch.env, user: launch.user, stdio: { stdout: out, stderr: err } });
      return { launch, process, stdout, stderr };
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  /** What the run wrote to stdout (or stderr) so far. */
  read(path: string): string {
    return readFileSync(path, 'utf8');
  }

  /** The engine's stop sequence (stopContainerRun). */
  stop(unit: StartedUnit, timeoutMs: number): Promise<StopOutcome> {
    return stopContainerRun(this.driver, this.runner, unit.launch.name, unit.process.identity, timeoutMs);
  }

  /** afterEach: names of containers and pids of processes this test left behind (all removed/killed). */
  async leftovers(): Promise<{ containers: string[]; pids: number[] }> {
    const containers = await this.driver.removeAll();
    const pids = censusPids(this.census);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    this.census = newCensusValue();
    return { containers, pids };
  }

  /** afterAll: removes temp folders. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.fixture.dispose();
  }
}
