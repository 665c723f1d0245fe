// The SDK beyond the seed samples, against a real daemon: connect and its refusals, SbxError for every kind of
// failure, apply/plan with events, the event stream, live server objects, checkpoints.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SbxError, type ApplyMessage, type EngineEvent } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';

const folders: string[] = [];
const sandboxes: Sandbox[] = [];

const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'sbx-sdk-'));
  folders.push(dir);
  return dir;
};

const connect = async (options: Parameters<typeof Sandbox.connect>[0]): Promise<Sandbox> => {
  const sandbox = await Sandbox.connect(options);
  sandboxes.push(sandbox);
  return sandbox;
};

/** The rejection of a promise (fails when it resolves). */
const rejection = async (promise: Promise<unknown>): Promise<SbxError> => {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(SbxError);
  return outcome.error as SbxError;
};

/** A sleep whose length is unique to this run, so its processes can be told apart on a shared machine. */
const uniqueSleep = (): string => `${7000 + Math.floor(Math.random() * 1000)}.${process.pid}`;

afterAll(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.shutdown({ stop_units: true }).catch(() => undefined);
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('Sandbox.connect', () => {
  it('refuses a missing folder, a state folder elsewhere, and servers declared beside a sandbox.yaml, before starting anything', async () => {
    const dir = await tempDir();
    expect(await rejection(Sandbox.connect({ dir: join(dir, 'nope') }))).toMatchObject({ status: 0, code: 'invalid-option', field: 'dir' });
    expect(await rejection(Sandbox.connect({ dir, stateDir: join(dir, 'a', 'b') }))).toMatchObject({ status: 0, field: 'stateDir' });
    await writeFile(join(dir, 'sandbox.yaml'), 'version: 1\n');
    expect(await rejection(Sandbox.connect({ dir, servers: [{ slug: 'web', start: 'x' }] }))).toMatchObject({ status: 0, field: 'servers' });
    expect(await rejection(Sandbox.connect({ dir, servers: [{ start: 'x' } as never] }))).toMatchObject({ field: 'servers' });
  });

  it('starts one daemon for the folder and finds it again; relative paths resolve against the folder', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'data'));
    const first = await connect({ dir });
    const second = await connect({ dir });
    await first.services.upsert('sleeper', { cmd: 'sleep', args: [uniqueSleep()], working_dir: 'data' });
    expect(await second.services.get('sleeper')).toMatchObject({ working_dir: join(dir, 'data'), status: 'stopped' });
    expect((await second.status()).project).toBe(dir.split('/').at(-1));
  });

  it('services take the fields both kinds share (spec §2): env_file, port, health_check, typed in the SDK', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'svc.env'), 'FROM_FILE=yes\n');
    const sandbox = await connect({ dir });
    await sandbox.services.upsert('web', {
      cmd: process.execPath,
      args: ['-e', 'require("http").createServer((q, r) => r.end(process.env.FROM_FILE)).listen(process.env.PORT, "127.0.0.1")'],
      env_file: 'svc.env',
      port: 20_000 + (process.pid % 20_000),
      health_check: { path: '/', interval_ms: 100 },
    });
    const started = await sandbox.services.start('web');
    expect(started.status).toBe('running');
    const exec = await sandbox.services.exec('web', ['sh', '-c', 'printf "%s" "$FROM_FILE"']);
    expect(exec).toMatchObject({ exit_code: 0, stdout: 'yes' });
    // Services have logs as servers do.
    await sandbox.services.upsert('talker', { cmd: 'sh', args: ['-c', 'echo to-out; echo to-err >&2; exec sleep 600'] });
    await sandbox.services.start('talker');
    await eventually(async () => (await sandbox.services.logs('talker')).logs.split('\n').length === 3, { message: 'talker logged' });
    expect((await sandbox.services.logs('talker', { stream: 'stderr' })).logs).toBe('to-err\n');
    expect(await rejection(sandbox.services.logs('nothing'))).toMatchObject({ status: 404 });
  });
});

describe('SbxError', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await connect({ dir: await tempDir() });
  });

  it('carries the status, code and field of the daemon’s error answer', async () => {
    const bad = await rejection(sandbox.services.upsert('db', { cmd: 'postgres', health_port: 'x' as unknown as number }));
    expect(bad).toMatchObject({ status: 400, field: 'health_port' });
    expect(bad.message).toMatch(/health_port/);
    expect(await rejection(sandbox.services.get('nothing'))).toMatchObject({ status: 404, code: 'not-found' });
    expect(await rejection(sandbox.server.retrieve('nothing'))).toMatchObject({ status: 404, code: 'not-found' });
  });

  it('an invalid manifest rejects apply and plan with 422 and located diagnostics; nothing changes', async () => {
    const manifest = join(sandbox.dir, 'broken.yaml');
    await writeFile(manifest, 'version: 1\nservices:\n  a:\n    cmd: sleep\n    helth_port: 1\n');
    const error = await rejection(sandbox.apply({ path: manifest }));
    expect(error).toMatchObject({ status: 422 });
    expect(error.diagnostics[0]).toMatchObject({ location: { file: manifest, line: 5 } });
    expect((await rejection(sandbox.plan({ path: manifest }))).status).toBe(422);
    expect(await sandbox.services.list()).toEqual([]);
  });

  it('is status 0, daemon-unreachable, once the daemon is gone', async () => {
    const other = await Sandbox.connect({ dir: await tempDir() });
    await other.shutdown({ stop_units: true });
    const error = await eventually(() => other.status().then(() => null, (e: unknown) => e), { message: 'daemon gone' });
    expect(error).toMatchObject({ name: 'SbxError', status: 0, code: 'daemon-unreachable' });
  });
});

describe('apply, plan and events', () => {
  it('plans, applies with progress, and is idempotent', async () => {
    const dir = await tempDir();
    const secs = uniqueSleep();
    await writeFile(join(dir, 'sandbox.yaml'), `version: 1\nservices:\n  db: { cmd: sleep, args: ["${secs}"] }\n  api: { cmd: sleep, args: ["${secs}"], needs: [db] }\n`);
    const sandbox = await connect({ dir });

    const plan = await sandbox.plan();
    expect(plan.in_sync).toBe(false);
    expect(plan.actions.map((a) => `${a.type} ${'unit' in a ? a.unit : a.overlay}`).sort()).toEqual(['start db']);
    const seen: ApplyMessage[] = [];
    const result = await sandbox.apply({ onEvent: (m) => seen.push(m), timeout_ms: 20_000 });
    expect(result).toMatchObject({ ready: ['api', 'db'], failed: [], timed_out: false });
    expect(seen[0]?.type).toBe('plan');
    expect(seen.at(-1)?.type).toBe('result');
    expect(seen.some((m) => m.type === 'event')).toBe(true);
    expect((await sandbox.plan()).in_sync).toBe(true);
    expect((await sandbox.services.list()).map((s) => [s.name, s.status, s.owner])).toEqual([
      ['api', 'running', 'manifest'],
      ['db', 'running', 'manifest'],
    ]);
  });

  it('is what the package exports by its name, and applies a manifest given as text', async () => {
    // Self-reference: `import ... from 'sbx'` resolves through package.json "exports" to the built dist/index.js (a
    // specifier in a variable, so the type checker does not map it back to src/).
    const packageName = 'sbx';
    const byName = (await import(packageName)) as typeof import('../../src/index.js');
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['Sandbox', 'SbxError']));
    const dir = await tempDir();
    const secs = uniqueSleep();
    const sandbox = await byName.Sandbox.connect({ dir });
    sandboxes.push(sandbox);
    const manifest = `version: 1\nname: generated\nservices:\n  gen: { cmd: sleep, args: ["${secs}"] }\n`;
    expect((await sandbox.plan({ manifest })).actions.map((a) => a.type)).toEqual(['start']);
    expect(await sandbox.apply({ manifest, timeout_ms: 20_000 })).toMatchObject({ ready: ['gen'], failed: [] });
    expect((await sandbox.plan({ manifest })).in_sync).toBe(true);
    expect((await sandbox.services.get('gen')).status).toBe('running');
  });

  it('events() delivers what happens after it is ready, and close() ends the loop', async () => {
    const sandbox = await connect({ dir: await tempDir() });
    await sandbox.services.upsert('sleeper', { cmd: 'sleep', args: [uniqueSleep()] });
    const events = sandbox.events();
    await events.ready;
    const seen: EngineEvent[] = [];
    const loop = (async () => {
      for await (const event of events) {
        seen.push(event);
        if (event.type === 'unit-phase' && event.unit === 'sleeper' && event.phase === 'ready') events.close();
      }
    })();
    await sandbox.services.start('sleeper');
    await loop;
    expect(seen.filter((e) => e.type === 'unit-phase').map((e) => (e as { phase: string }).phase)).toEqual(expect.arrayContaining(['starting', 'ready']));
  });
});

describe('servers are live objects', () => {
  it('every call for a slug refreshes the object start handed out', async () => {
    const sandbox = await connect({ dir: await tempDir() });
    const server = await sandbox.server.start({ slug: 'web', start: `exec sleep ${uniqueSleep()}` });
    expect(server.status).not.toBe('stopped');
    await sandbox.server.stop('web');
    expect(server.status).toBe('stopped');
    expect(await sandbox.server.retrieve('web')).toBe(server);
    expect((await sandbox.server.list())[0]).toBe(server);
    await sandbox.server.delete('web');
    const next = await sandbox.server.start({ slug: 'web', start: `exec sleep ${uniqueSleep()}` });
    expect(next).not.toBe(server);
  });
});

describe('checkpoints', () => {
  it('create, list, get, restore (started / stopped lists), delete', async () => {
    const sandbox = await connect({ dir: await tempDir() });
    const secs = uniqueSleep();
    for (const name of ['a', 'b', 'c']) await sandbox.services.upsert(name, { cmd: 'sleep', args: [secs] });
    await sandbox.services.start('a');
    await sandbox.services.start('b');

    const checkpoint = await sandbox.checkpoints.create('two-running');
    expect(checkpoint).toMatchObject({ name: 'two-running', created_at: expect.any(String) });
    expect(checkpoint.units.map((u) => [u.name, u.running])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    expect((await sandbox.checkpoints.list()).map((c) => c.name)).toEqual(['two-running']);
    expect(await sandbox.checkpoints.get('two-running')).toMatchObject({ name: 'two-running' });
    expect(await rejection(sandbox.checkpoints.create('two-running'))).toMatchObject({ status: 409, field: 'name' });

    await sandbox.services.stop('b');
    await sandbox.services.start('c');
    const restored = await sandbox.checkpoints.restore('two-running', { timeout_ms: 20_000 });
    expect(restored).toMatchObject({ started_services: ['b'], stopped_services: ['c'], failed_services: [] });
    expect((await sandbox.services.list()).map((s) => [s.name, s.status])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'stopped'],
    ]);

    expect(await sandbox.checkpoints.delete('two-running')).toEqual({ name: 'two-running', deleted: true });
    expect(await rejection(sandbox.checkpoints.restore('two-running'))).toMatchObject({ status: 404 });
  });
});
