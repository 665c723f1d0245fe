// S28 secrets canary: a secret from an env file, an inline value of a secret-looking name and a secret given in an API
// body reach the unit's own environment and nothing else sbx writes or answers: not the daemon's log (at debug level),
// unit logs, plans, diffs, status, the services/servers views, events, apply output, the state file, checkpoints, or
// the daemon's command line. Start, failed start, crash, an invalid env line, daemon restarts (re-adoption without a
// restart; values re-derived from their sources) and a change of the env file while the daemon was down are exercised.

import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/daemon/api-client.js';
import { API_SECRETS_FILE } from '../../src/state/file-state-store.js';
import { eventually } from '../helpers/eventually.js';
import { SecProject } from './security-project.js';

const canary = `canary-${randomUUID()}`;
const inline = `${canary}-inline`;
const apiSecret = `${canary}-api`;
const changed = `${canary}-changed`;
const DEBUG = { SBX_LOG_LEVEL: 'debug' };

let project: SecProject;
let client: ApiClient;
/** Every API answer and stream line the test received, as text. */
const answers: string[] = [];
const keep = <T>(value: T): T => (answers.push(typeof value === 'string' ? value : JSON.stringify(value)), value);

const envFile = (apiKey: string): string =>
  [`API_KEY=${apiKey}`, `DATABASE_URL=postgres://app:${apiKey}-url@db/app`, `this line is not an assignment ${apiKey}-bad`, ''].join('\n');

const manifest = [
  'version: 1',
  'env_file: .env',
  'services:',
  '  app:',
  '    cmd: sleep',
  '    args: ["86400"]',
  `    env: { SERVICE_TOKEN: "${inline}", DB_URL: "postgres://app:\${API_KEY}@db/app" }`,
  '  crasher:',
  '    cmd: sh',
  '    args: ["-c", "exit 3"]',
  '    restart_policy: on-failure',
  '    max_restarts: 2',
  '    restart_delay_ms: 50',
  '  badstart:',
  `    cmd: /nonexistent/sbx-${randomUUID()}`,
  'servers:',
  '  web:',
  '    start: exec sleep 86400',
  '',
].join('\n');

/** The environment of a live process as NAME → value. */
const environOf = async (pid: number): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await readFile(`/proc/${pid}/environ`, 'utf8'))
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );

const unit = async (name: string) => keep(await client.getUnit(name));

const pidOf = async (name: string): Promise<number> =>
  (await eventually(async () => {
    const u = await unit(name);
    return u.phase === 'ready' && u.pid !== null ? u.pid : null;
  }, { message: `${name} to be ready` })) as number;

/** Every file under `dir`, recursively (sockets and FIFOs left out). */
const filesUnder = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
};

const count = (text: string, needle: string): number => text.split(needle).length - 1;

beforeAll(async () => {
  project = await SecProject.create('sbx-s28-');
  await project.write('.env', envFile(canary), 0o644);
  await project.write('sandbox.yaml', manifest);
});

afterAll(async () => {
  await project?.teardown();
});

describe('S28 secrets canary', () => {
  it('validate warns that the env file holding secrets is readable by others, without quoting it', async () => {
    const text = await project.sbx(['validate']);
    expect(text).toMatchObject({ exitCode: 0 });
    expect(text.stderr).toMatch(/\.env:1:1 warning: \.env holds secrets \(API_KEY\) and other users can read it \(mode 0644\)/);
    const json = JSON.parse((await project.sbx(['validate', '--json'])).stdout) as { files: { diagnostics: { code?: string; severity: string }[] }[] };
    expect(json.files[0]?.diagnostics).toEqual([expect.objectContaining({ code: 'env-file-readable', severity: 'warning' })]);
  });

  it('apply starts the units (start, failed start, crash) with the secrets in their environment only', async () => {
    const applied = await project.sbx(['apply', '--timeout', '60s'], { env: DEBUG });
    expect(applied.stdout).toContain('badstart');
    expect(`${applied.stdout}${applied.stderr}`).toMatch(/holds secrets \(API_KEY\)/);
    await project.sbx(['apply', '--json', '--timeout', '60s'], { env: DEBUG });
    client = await project.client();
    const app = await pidOf('app');
    // Positive control: the canary is where it belongs, so the searches below can see it when it leaks.
    expect(await environOf(app)).toMatchObject({
      API_KEY: canary,
      SERVICE_TOKEN: inline,
      DATABASE_URL: `postgres://app:${canary}-url@db/app`,
      DB_URL: `postgres://app:${canary}@db/app`,
    });
    expect((await unit('crasher')).phase).toBe('failed');
    expect((await unit('badstart')).phase).toBe('failed');
    expect((await readFile(join(project.stateDir, 'daemon.log'), 'utf8')).split('\n').some((line) => line.includes('"level":20'))).toBe(true);
  });

  it('every view, plan, diff, log and event is read while things happen', async () => {
    for (const args of [['status', '--json'], ['status'], ['diff'], ['diff', '--json'], ['apply', '--dry-run'], ['env', 'app'], ['env', 'app', '--json'], ['logs', 'crasher'], ['logs', 'badstart'], ['why', 'crasher']]) {
      await project.sbx(args, { env: DEBUG });
    }
    keep(await client.status());
    keep(await client.listServices());
    keep(await client.getService('app'));
    keep(await client.listServers());
    keep(await client.getServer('web'));
    keep(await client.plan({}));
    keep(await client.unitLogs('crasher'));
    keep(await client.unitLogs('badstart'));
    keep(await client.serverLogs('web'));
    keep(await client.health());
    const events = await client.events();
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const event of events) {
        seen.push(keep(event));
        if ((event as { type?: string; unit?: string; phase?: string }).unit === 'app' && (event as { phase?: string }).phase === 'ready') break;
      }
    })();
    keep(await client.restartUnit('app'));
    await reading;
    events.close();
    expect(seen.length).toBeGreaterThan(0);
    keep(await client.createCheckpoint({ name: 'before' }));
    keep(await client.listCheckpoints());
    keep(await client.stopUnit('app'));
    keep(await client.restoreCheckpoint('before'));
    expect(await environOf(await pidOf('app'))).toMatchObject({ API_KEY: canary, SERVICE_TOKEN: inline });
  });

  it('a secret given in an API body is kept only in the 0600 secrets file and survives a daemon restart', async () => {
    keep(await client.upsertService('from-api', { cmd: 'sleep', args: ['86400'], env: { API_SECRET: apiSecret, PLAIN: 'visible' } }));
    keep(await client.startService('from-api'));
    expect(keep(await client.getService('from-api')).env).toEqual({ API_SECRET: '***', PLAIN: 'visible' });
    expect(await environOf(await pidOf('from-api'))).toMatchObject({ API_SECRET: apiSecret });
    expect((await stat(join(project.stateDir, API_SECRETS_FILE))).mode & 0o777).toBe(0o600);
  });

  it('a daemon killed with SIGKILL is replaced: every unit re-adopted, nothing restarted, values re-derived for the next start', async () => {
    const before = { app: await pidOf('app'), api: await pidOf('from-api'), web: await pidOf('web') };
    await project.killDaemon();
    const diff = await project.sbx(['diff'], { env: DEBUG });
    expect(diff).toMatchObject({ exitCode: 0 });
    client = await project.client();
    expect({ app: await pidOf('app'), api: await pidOf('from-api'), web: await pidOf('web') }).toEqual(before);
    keep(await client.restartUnit('app'));
    keep(await client.restartUnit('from-api'));
    expect(await environOf(await pidOf('app'))).toMatchObject({ API_KEY: canary, SERVICE_TOKEN: inline });
    expect(await environOf(await pidOf('from-api'))).toMatchObject({ API_SECRET: apiSecret });
  });

  it('an env file changed while the daemon was down: no restart then, no start with unknown values, restart on the next apply', async () => {
    await project.write('.env', envFile(changed), 0o600);
    const running = await pidOf('app');
    await project.killDaemon();
    const diff = await project.sbx(['diff'], { env: DEBUG });
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toMatch(/restart app: env API_KEY changed \(\.env:1\)/);
    client = await project.client();
    expect(await pidOf('app')).toBe(running);
    // Restarting before an apply: the applied value is gone from its source, so the unit is not started with a guess.
    keep(await client.restartUnit('app').catch((error: unknown) => String(error)));
    const held = await eventually(async () => {
      const u = await unit('app');
      return u.phase === 'failed' ? u : null;
    }, { message: 'app to fail for want of its env values' });
    expect(held?.last_error).toMatch(/env API_KEY.*run `sbx apply`/);
    const applied = await project.sbx(['apply', '--timeout', '60s'], { env: DEBUG });
    expect(applied.stdout).toMatch(/app/);
    expect(await environOf(await pidOf('app'))).toMatchObject({ API_KEY: changed });
  });

  it('nothing outside the units’ environments holds the canary', async () => {
    const places: { where: string; text: string }[] = [];
    for (const file of await filesUnder(project.dir)) {
      const rel = relative(project.dir, file);
      if (rel === '.env' || rel === 'sandbox.yaml') continue; // the sources themselves
      let text = await readFile(file, 'utf8');
      if (rel === join('.sbx', API_SECRETS_FILE)) text = text.replaceAll(apiSecret, '');
      places.push({ where: rel, text });
    }
    places.push(...project.outputs.map((text, i) => ({ where: `cli output ${i}`, text })));
    places.push(...answers.map((text, i) => ({ where: `api answer ${i}`, text })));
    const daemon = await project.daemonPid();
    expect(daemon).not.toBeNull();
    places.push({ where: 'daemon cmdline', text: await readFile(`/proc/${daemon}/cmdline`, 'utf8') });
    places.push({ where: 'daemon environ', text: await readFile(`/proc/${daemon}/environ`, 'utf8') });
    for (const pid of await project.census()) {
      if (pid !== daemon) places.push({ where: `unit ${pid} cmdline`, text: await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') });
    }
    expect(places.some((p) => p.where.startsWith(join('.sbx', 'checkpoints')))).toBe(true);
    expect(places.some((p) => p.where === join('.sbx', 'state.json'))).toBe(true);
    const hits = places.filter((p) => p.text.includes(canary)).map((p) => `${p.where} (${count(p.text, canary)})`);
    console.log(`S28 secrets canary: ${hits.length} hits in ${places.length} places (pass: 0)`);
    expect(hits).toEqual([]);
  });
});
