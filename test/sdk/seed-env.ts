// What the seed samples need around them: the fixture project (package.json, server.js, worker.js, app.py, ...) in
// a temp project folder and at the absolute paths the samples name (/app, /templates/*), the daemon's environment
// (PATH with postgres, quiet offline npm and pip), a console that records what a sample prints, and cleanup.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { Sandbox } from '../../src/index.js';

/** The fixture project every sample's servers run. */
export const FIXTURE_PROJECT = fileURLToPath(new URL('./fixtures/project/', import.meta.url));
/** Stand-ins put first on the daemon's PATH (postgres, which refuses root). */
export const FIXTURE_BIN = fileURLToPath(new URL('./fixtures/bin/', import.meta.url));
/** Where Debian keeps the postgres binaries (initdb, postgres). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** The setup script `.ci/run` calls; tests point at it when something is missing. */
export const SETUP_SCRIPT = fileURLToPath(new URL('./setup-seed-deps.sh', import.meta.url));

/** A file in every tree these tests lay down: only trees carrying it are ever removed. */
const MARKER = '.sbx-seed-fixture';

/** Records what a sample prints (`console.log`) instead of writing it, so tests can assert on it. */
export class SampleConsole {
  readonly lines: string[] = [];
  log(...args: unknown[]): void {
    this.lines.push(format(...args));
  }
  /** Forgets what was printed so far. */
  clear(): void {
    this.lines.length = 0;
  }
}

/** The daemon inherits the test process's environment: the samples' programs must be found and stay offline. */
export const prepareDaemonEnvironment = (): (() => void) => {
  const saved = { ...process.env };
  process.env.PATH = [FIXTURE_BIN.replace(/\/$/, ''), POSTGRES_BIN, process.env.PATH ?? '/usr/bin:/bin'].join(':');
  Object.assign(process.env, {
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'error',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INDEX: '1',
    PIP_ROOT_USER_ACTION: 'ignore',
    // Debian's own pip refuses any install into the system Python (PEP 668); the sample's requirements are empty.
    PIP_BREAK_SYSTEM_PACKAGES: '1',
  });
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
};

/** Fails with the fix when a program the samples run is missing. */
export const requirePrograms = (names: string[]): void => {
  const missing = names.filter((name) => spawnSync('sh', ['-c', `command -v ${name}`], { env: process.env }).status !== 0);
  if (missing.length > 0) throw new Error(`the seed samples need ${missing.join(', ')}: run ${SETUP_SCRIPT} (as root)`);
};

/** Trees laid down by this process, removed by removeFixtureTrees. */
const laid: string[] = [];

/** Copies the fixture project to `path` (refusing a tree that is not ours), plus `template.txt` naming it when given. */
export const layFixtureTree = async (path: string, template?: string): Promise<string> => {
  if (existsSync(path) && !existsSync(join(path, MARKER))) {
    throw new Error(`${path} exists and was not made by these tests; move it away to run the seed samples`);
  }
  await rm(path, { recursive: true, force: true });
  await cp(FIXTURE_PROJECT, path, { recursive: true });
  await writeFile(join(path, MARKER), 'laid down by test/sdk; removed after the tests\n');
  if (template) await writeFile(join(path, 'template.txt'), `${template}\n`);
  laid.push(path);
  return path;
};

/** Removes a tree only when it carries the marker (a tree an overlay copied from ours carries it too). */
export const removeFixtureTree = async (path: string): Promise<void> => {
  if (existsSync(join(path, MARKER))) await rm(path, { recursive: true, force: true });
};

/** Removes every tree laid down, then the parent folders left empty that did not exist before (e.g. /templates). */
export const removeFixtureTrees = async (createdParents: string[] = []): Promise<void> => {
  for (const path of laid.splice(0)) await removeFixtureTree(path);
  for (const parent of createdParents) {
    if (existsSync(parent) && (await readdir(parent)).length === 0) await rmdir(parent);
  }
};

/** A temp project folder holding the fixture project. */
export const tempFixtureProject = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'sbx-seed-'));
  await cp(FIXTURE_PROJECT, dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'temp project of test/sdk\n');
  return dir;
};

/** Stops every unit and the daemon of each sandbox, then removes the folders. */
export const shutdownAll = async (sandboxes: Sandbox[], folders: string[]): Promise<void> => {
  for (const sandbox of sandboxes.splice(0)) {
    await sandbox.shutdown({ stop_units: true }).catch(() => undefined);
  }
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
};

/** Deletes every server and service (dependents first), so the next sample starts from nothing. */
export const deleteAllUnits = async (sandbox: Sandbox): Promise<void> => {
  for (let round = 0; round < 5; round++) {
    const servers = await sandbox.server.list();
    const services = await sandbox.services.list();
    if (servers.length === 0 && services.length === 0) return;
    const needed = new Set([...servers, ...services].flatMap((u) => u.needs));
    for (const s of servers) if (!needed.has(s.slug)) await sandbox.server.delete(s.slug).catch(() => undefined);
    for (const s of services) if (!needed.has(s.name)) await sandbox.services.delete(s.name).catch(() => undefined);
  }
  throw new Error('units left after five rounds of deletes');
};

/** True when nothing listens on 127.0.0.1:port (the sample's fixed ports must be free before and after). */
export const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** GET a URL's body and status (no retries). */
export const fetchText = async (url: string): Promise<{ status: number; body: string }> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
};

/** True when the process exists. */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
