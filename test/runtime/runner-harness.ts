// Shared setup for the process-runner tests: temp dirs, log fds, launch requests and readiness files.

import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/eventually.js';
import type { LaunchRequest, ProcessRunner, RunningProcess } from '../../src/runtime/process-runner.js';
import { CENSUS_VARIABLE } from './census.js';

/** Absolute path of a fixture script in test/fixtures. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A temp dir per test, with helpers to start units whose output goes to files in it. */
export class RunnerHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'sbx-runner-'));
  #runs = 0;

  constructor(readonly census: string) {}

  /** A launch request with the census marker, a READY_FILE and PATH; override anything. */
  request(unit: string, argv: string[], extra: Partial<LaunchRequest> = {}): LaunchRequest {
    const run = this.#runs++;
    return {
      unit,
      runId: String(run),
      argv,
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [CENSUS_VARIABLE]: this.census, READY_FILE: this.readyFile(unit) },
      user: null,
      stdio: { stdout: -1, stderr: -1 },
      ...extra,
    };
  }

  /** Where a unit's fixture announces readiness. */
  readyFile(unit: string): string {
    return join(this.dir, `${unit}.ready`);
  }

  /** Starts a request with stdout/stderr appended to <unit>.log, closing our copies of the fds afterwards. */
  async start(runner: ProcessRunner, request: LaunchRequest): Promise<RunningProcess> {
    const fd = openSync(join(this.dir, `${request.unit}.log`), 'a');
    try {
      return await runner.start({ ...request, stdio: { stdout: fd, stderr: fd } });
    } finally {
      closeSync(fd);
    }
  }

  /** Waits until the unit's fixture has written its readiness file. */
  async ready(unit: string, timeoutMs = 10_000): Promise<void> {
    const file = this.readyFile(unit);
    await eventually(() => existsSync(file), { timeoutMs, message: `${unit} to announce readiness` });
  }

  /** Removes the temp dir. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
