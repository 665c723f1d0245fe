// The must-show of issue 5 (reliability S24): a daemon with the real engine and 10 real units. Checkpoint with 6
// running and 4 stopped; change things (another manifest removes one unit, adds one, changes one unit's args; stop
// two, start one); restore; exactly the recorded units run with the recorded fingerprints and the answer lists are
// exact. A second test injects a failing unit: it lands in failed_services (with its dependent) and the rest converge.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/daemon/api-client.js';
import type { RestoreResult, StatusView } from '../../src/daemon/api-types.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { localDeps } from '../../src/daemon/wiring.js';
import { silentLogger } from '../../src/shared/logger.js';
import { eventually } from '../helpers/eventually.js';
import { CENSUS_VARIABLE, censusPids, killCensus, newCensusValue } from '../runtime/census.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const sbxBin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

interface Project {
  dir: string;
  stateDir: string;
  census: string;
  daemon: RunningDaemon;
  client: ApiClient;
}

const projects: Project[] = [];

afterEach(async () => {
  for (const p of projects.splice(0)) {
    await p.client.shutdown({ stop_units: true }).catch(() => undefined);
    await p.daemon.closed;
    // Census: `down` left no unit process behind (then kill any, so one failure does not leak into other tests).
    const survivors = await eventually(() => censusPids(p.census).length === 0, { timeoutMs: 15_000, message: 'no unit process left' }).catch(() => false);
    const killed = killCensus(p.census);
    await rm(p.dir, { recursive: true, force: true });
    expect(survivors).toBe(true);
    expect(killed).toBe(0);
  }
});

const basePort = 20_000 + Math.floor(Math.random() * 20_000);
const health = '{ path: /, interval_ms: 100, timeout_ms: 1000, delay_ms: 0 }';
/** A unit with an HTTP health check on its own port. */
const httpUnit = (name: string, port: number, extra = ''): string =>
  `  ${name}: { cmd: ${process.execPath}, args: [${fixture('http-unit.mjs')}], port: ${port}, health_check: ${health}, stop_timeout_ms: 3000${extra} }`;
/** A unit that sleeps (its version is the sleep length, visible in argv). */
const sleepUnit = (name: string, version: number, extra = ''): string =>
  `  ${name}: { cmd: /bin/sh, args: [${fixture('unit.sh')}, "${version}"], stop_timeout_ms: 3000${extra} }`;

const manifestText = (census: string, lines: string[]): string =>
  ['version: 1', 'name: ckpt', `environment: { ${CENSUS_VARIABLE}: "${census}" }`, 'services:', ...lines, ''].join('\n');

/** A temp project with an in-process daemon (the real local engine on this machine). */
const startProject = async (lines: (dir: string) => string[]): Promise<Project> => {
  const dir = await mkdtemp(join(tmpdir(), 'sbx-checkpoint-'));
  const census = newCensusValue();
  const manifest = join(dir, 'sandbox.yaml');
  await writeFile(manifest, manifestText(census, lines(dir)));
  const stateDir = join(dir, '.sbx');
  const started = await startDaemon({ stateDir, manifestPath: manifest, logger: silentLogger, saveDelayMs: 5 }, localDeps);
  if (!started.started) throw new Error(`a daemon already serves ${stateDir}`);
  const project = { dir, stateDir, census, daemon: started.daemon, client: new ApiClient(started.daemon.socketPath) };
  projects.push(project);
  return project;
};

/** Unit name → phase. */
const phases = (status: StatusView): Record<string, string> => Object.fromEntries(status.units.map((u) => [u.name, u.phase]));
const runningNames = (status: StatusView): string[] => status.units.filter((u) => ['starting', 'running', 'ready'].includes(u.phase)).map((u) => u.name).sort();
const pidOf = (status: StatusView, name: string): number | null => status.units.find((u) => u.name === name)?.pid ?? null;

/** Runs the built `sbx` CLI; resolves with its exit code and output. */
const sbx = (args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [sbxBin, ...args], { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });

const v1Units = (ports: number): string[] => [
  httpUnit('db', ports),
  httpUnit('api', ports + 10, ', needs: [db]'),
  httpUnit('cache', ports + 20),
  sleepUnit('worker', 100001),
  sleepUnit('mailer', 100002),
  sleepUnit('cron', 100003),
  sleepUnit('indexer', 100004),
  sleepUnit('queue', 100005),
  sleepUnit('metrics', 100006),
  sleepUnit('search', 100007),
];

describe('checkpoint restore over 10 real units', () => {
  it('converges back to exactly the recorded units and fingerprints, with exact started/stopped/failed lists', async () => {
    const p = await startProject(() => v1Units(basePort));
    const applied = await p.client.applyAndWait({ timeout_ms: 60_000 });
    expect(applied).toMatchObject({ failed: [], timed_out: false });
    expect(applied.ready).toHaveLength(10);
    for (const name of ['cache', 'queue', 'metrics', 'search']) await p.client.stopUnit(name);

    const checkpoint = await p.client.createCheckpoint({ name: 'c1' });
    expect(checkpoint.units.filter((u) => u.running).map((u) => u.name)).toEqual(['api', 'cron', 'db', 'indexer', 'mailer', 'worker']);
    expect(checkpoint.units.filter((u) => !u.running).map((u) => u.name)).toEqual(['cache', 'metrics', 'queue', 'search']);
    expect(censusPids(p.census)).toHaveLength(6);
    const before = await p.client.status();

    // Another manifest: indexer removed, extra added, worker's args changed (apply starts every unit it declares).
    const v2 = join(p.dir, 'sandbox.v2.yaml');
    const v2Units = v1Units(basePort).filter((l) => !l.includes(' indexer:')).map((l) => (l.includes(' worker:') ? sleepUnit('worker', 200001) : l));
    await writeFile(v2, manifestText(p.census, [...v2Units, sleepUnit('extra', 100008)]));
    expect(await p.client.applyAndWait({ path: v2, timeout_ms: 60_000 })).toMatchObject({ failed: [], timed_out: false });
    for (const name of ['cache', 'metrics', 'search', 'queue', 'mailer', 'cron']) await p.client.stopUnit(name);
    await p.client.startUnit('queue');
    const changed = await p.client.status();
    expect(runningNames(changed)).toEqual(['api', 'db', 'extra', 'queue', 'worker']);
    expect(phases(changed).indexer).toBeUndefined();

    const result: RestoreResult = await p.client.restoreCheckpoint('c1', { timeout_ms: 60_000 });
    expect(result).toEqual({
      started_services: ['cron', 'indexer', 'mailer'],
      stopped_services: ['extra', 'queue'],
      failed_services: [],
      failures: {},
      restarted_services: ['worker'],
      unchanged_services: ['api', 'db'],
      deleted_services: ['extra'],
      timed_out: false,
    });

    const after = await p.client.status();
    expect(runningNames(after)).toEqual(['api', 'cron', 'db', 'indexer', 'mailer', 'worker']);
    expect(phases(after)).toEqual({
      api: 'ready',
      cache: 'stopped',
      cron: 'ready',
      db: 'ready',
      indexer: 'ready',
      mailer: 'ready',
      metrics: 'stopped',
      queue: 'stopped',
      search: 'stopped',
      worker: 'ready',
    });
    // The runs are the recorded ones: same fingerprints (as the state on disk has them), recorded argv, db/api untouched.
    const state = JSON.parse(await readFile(join(p.stateDir, 'state.json'), 'utf8'));
    for (const unit of checkpoint.units.filter((u) => u.running)) {
      expect({ unit: unit.name, fingerprint: state.observed.units[unit.name].fingerprint }).toEqual({ unit: unit.name, fingerprint: unit.fingerprint });
      expect(state.desired.units[unit.name].spec.fingerprint).toBe(unit.fingerprint);
    }
    expect(Object.keys(state.desired.units).sort()).toEqual(checkpoint.units.map((u) => u.name));
    const workerPid = pidOf(after, 'worker');
    expect((await readFile(`/proc/${workerPid}/cmdline`, 'utf8')).split('\0')).toEqual(['sleep', '100001', '']);
    expect({ db: pidOf(after, 'db'), api: pidOf(after, 'api') }).toEqual({ db: pidOf(before, 'db'), api: pidOf(before, 'api') });
    expect(censusPids(p.census)).toHaveLength(6);

    // Restoring again changes nothing.
    expect(await p.client.restoreCheckpoint('c1', { timeout_ms: 60_000 })).toMatchObject({
      started_services: [],
      stopped_services: [],
      failed_services: [],
      restarted_services: [],
      unchanged_services: ['api', 'cron', 'db', 'indexer', 'mailer', 'worker'],
    });
  });

  it('a unit that now fails lands in failed_services with its dependent; the others converge; the CLI exits 1', async () => {
    // flaky has a health check, so flaky-dep waits for it to be ready (and is held once it fails).
    const flag = (dir: string): string => join(dir, 'fail.flag');
    const p = await startProject((dir) => [
      httpUnit('db', basePort + 100),
      httpUnit('flaky', basePort + 110, `, env: { FAIL_FLAG: "${flag(dir)}" }`),
      sleepUnit('flaky-dep', 300002, ', needs: [flaky]'),
      sleepUnit('w1', 300003),
      sleepUnit('w2', 300004),
      sleepUnit('w3', 300005),
    ]);
    expect(await p.client.applyAndWait({ timeout_ms: 60_000 })).toMatchObject({ failed: [], timed_out: false });
    await p.client.stopUnit('w3');
    const created = await sbx(['checkpoint', 'create', 'c1', '--state-dir', p.stateDir, '--json'], p.dir);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).units.filter((u: { running: boolean }) => u.running)).toHaveLength(5);

    await p.client.stopUnit('flaky');
    await p.client.stopUnit('w1');
    await p.client.startUnit('w3');
    await writeFile(flag(p.dir), 'fail\n');

    const restored = await sbx(['checkpoint', 'restore', 'c1', '--state-dir', p.stateDir, '--json', '--timeout', '60s'], p.dir);
    expect(restored.code).toBe(1);
    const result = JSON.parse(restored.stdout) as RestoreResult;
    expect(result).toMatchObject({
      started_services: ['w1'],
      stopped_services: ['w3'],
      failed_services: ['flaky', 'flaky-dep'],
      unchanged_services: ['db', 'w2'],
      timed_out: false,
    });
    expect(result.failures.flaky).toMatch(/exited with code 1/);
    expect(result.failures['flaky-dep']).toMatch(/flaky/);
    const status = await p.client.status();
    expect(phases(status)).toMatchObject({ db: 'ready', w1: 'ready', w2: 'ready', w3: 'stopped', flaky: 'failed' });
    expect(runningNames(status)).toEqual(['db', 'w1', 'w2']);

    // Human output names the failure; once the cause is gone, a restore brings the failed units back.
    const again = await sbx(['checkpoint', 'restore', 'c1', '--state-dir', p.stateDir], p.dir);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^failed {5}flaky: exited with code 1/m);
    expect(again.stdout).toMatch(/✖ restored c1 with failures: 0 started, 0 stopped, 2 failed/);
    await rm(flag(p.dir));
    expect(await p.client.restoreCheckpoint('c1', { timeout_ms: 60_000 })).toMatchObject({ started_services: ['flaky', 'flaky-dep'], failed_services: [] });
    expect(runningNames(await p.client.status())).toEqual(['db', 'flaky', 'flaky-dep', 'w1', 'w2']);

    const listed = await sbx(['checkpoint', 'list', '--state-dir', p.stateDir], p.dir);
    expect(listed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^c1 +\d+s +6 +5$/m) });
    expect(await sbx(['checkpoint', 'delete', 'c1', '--state-dir', p.stateDir], p.dir)).toMatchObject({ code: 0, stdout: 'checkpoint c1: deleted\n' });
    const missing = await sbx(['checkpoint', 'restore', 'c1', '--state-dir', p.stateDir], p.dir);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no checkpoint named "c1"') });
  });
});
