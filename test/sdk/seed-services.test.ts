// Every code sample of the services seed (../shared/seeds/000_*.txt), run against a real daemon. Each `it` pastes
// one sample as literally as possible; what comes before it only sets the scene, assertions come after it.

import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SbxError } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';
import {
  alive,
  deleteAllUnits,
  portIsFree,
  prepareDaemonEnvironment,
  requirePrograms,
  SampleConsole,
  shutdownAll,
  tempFixtureProject,
} from './seed-env.js';

// The samples print with console.log; here that records the lines for the assertions.
const console = new SampleConsole();

let sandbox: Sandbox;
const sandboxes: Sandbox[] = [];
const folders: string[] = [];
let restoreEnv: () => void = () => undefined;

/** The first sample's redis, declared (not started) as the scene for the samples that use it. */
const givenRedis = async (started: boolean): Promise<void> => {
  await sandbox.services.upsert('redis', { cmd: 'redis-server', args: ['--port', '6379'], health_port: 6379 });
  if (started) await sandbox.services.start('redis');
};

const comm = async (pid: number): Promise<string> => (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();

beforeAll(async () => {
  restoreEnv = prepareDaemonEnvironment();
  requirePrograms(['redis-server', 'redis-cli', 'pgbouncer', 'initdb', 'psql', 'setpriv']);
  for (const port of [6379, 5432, 6432]) {
    if (!(await portIsFree(port))) throw new Error(`port ${port} is taken on 127.0.0.1; the services seed's samples need it`);
  }
  const dir = await tempFixtureProject();
  folders.push(dir);
  sandbox = await Sandbox.connect({ dir });
  sandboxes.push(sandbox);
});

afterEach(async () => {
  console.clear();
  await deleteAllUnits(sandbox);
});

afterAll(async () => {
  await shutdownAll(sandboxes, folders);
  restoreEnv();
});

describe('services seed samples', () => {
  it('Create or update a service', async () => {
    await sandbox.services.upsert('redis', {
    cmd: 'redis-server',
    args: ['--port', '6379'],
    health_port: 6379,
    })

    const svc = await sandbox.services.get('redis');
    expect(svc).toMatchObject({ name: 'redis', cmd: 'redis-server', args: ['--port', '6379'], health_port: 6379, container: false, status: 'stopped', pid: null });
    expect(await portIsFree(6379)).toBe(true);
  });

  it('PUT /v1/services/{name} with the seed’s full body', async () => {
    await sandbox.services.upsert('postgres', { cmd: 'postgres', args: ['-D', '/var/lib/postgresql/data'], health_port: 5432 });
    const body = JSON.parse(`{
"cmd": "redis-server",
"args": ["--port", "6379"],
"env": { "REDIS_LOGLEVEL": "warning" },
"working_dir": "/data",
"user": "nobody",
"health_port": 6379,
"needs": ["postgres"],
"container": false,
"image": ""
}`);
    const answer = await sandbox.services.upsert('redis', body);

    expect(answer).toMatchObject({
      name: 'redis',
      cmd: 'redis-server',
      args: ['--port', '6379'],
      env: { REDIS_LOGLEVEL: 'warning' },
      working_dir: '/data',
      user: 'nobody',
      health_port: 6379,
      needs: ['postgres'],
      container: false,
      image: '',
      status: 'stopped',
    });
  });

  it('Start and stop', async () => {
    await givenRedis(false);
    const events = sandbox.events();
    await events.ready;

    await sandbox.services.start('redis')
    await sandbox.services.stop('redis')

    const phases: string[] = [];
    for await (const event of events) {
      if (event.type === 'unit-phase' && event.unit === 'redis') phases.push(event.phase);
      if (phases.at(-1) === 'stopped') break;
    }
    expect(phases).toEqual(expect.arrayContaining(['starting', 'ready', 'stopping', 'stopped']));
    expect(phases.indexOf('ready')).toBeLessThan(phases.indexOf('stopping'));
    expect(await sandbox.services.get('redis')).toMatchObject({ status: 'stopped', pid: null });
    expect(await portIsFree(6379)).toBe(true);
  });

  it('Get status', async () => {
    await givenRedis(true);

    const svc = await sandbox.services.get('redis')
    console.log(svc.status, svc.pid)

    expect(console.lines).toEqual([`running ${svc.pid}`]);
    expect(svc.pid).toEqual(expect.any(Number));
    expect(await comm(svc.pid as number)).toBe('redis-server');
  });

  it('List all services', async () => {
    await givenRedis(true);
    await sandbox.services.upsert('postgres', { cmd: 'postgres', args: ['-D', '/var/lib/postgresql/data'], health_port: 5432 });

    const services = await sandbox.services.list()
    for (const s of services) {
    console.log(s.name, s.status)
    }

    expect(console.lines).toEqual(['postgres stopped', 'redis running']);
  });

  it('Dependency ordering', async () => {
    // postgres must be healthy before pgbouncer starts
    await sandbox.services.upsert('postgres', {
    cmd: 'postgres',
    args: ['-D', '/var/lib/postgresql/data'],
    health_port: 5432,
    })
    await sandbox.services.upsert('pgbouncer', {
    cmd: 'pgbouncer',
    args: ['/etc/pgbouncer/pgbouncer.ini'],
    needs: ['postgres'],
    health_port: 6432,
    })
    await sandbox.services.start('pgbouncer') // starts postgres first automatically

    const status = (await eventually(async () => {
      const units = (await sandbox.status()).units;
      return units.every((u) => u.phase === 'ready') ? units : null;
    }, { timeoutMs: 30_000, message: 'postgres and pgbouncer ready' })) as Awaited<ReturnType<Sandbox['status']>>['units'];
    const pg = status.find((u) => u.name === 'postgres');
    const bouncer = status.find((u) => u.name === 'pgbouncer');
    expect(pg?.ready_at).toEqual(expect.any(Number));
    expect(bouncer?.started_at).toBeGreaterThanOrEqual(pg?.ready_at as number);
    expect((await sandbox.services.get('postgres')).status).toBe('running');
    // A query through pgbouncer reaches postgres.
    const query = await sandbox.services.exec('pgbouncer', ['psql', '-h', '127.0.0.1', '-p', '6432', '-U', 'postgres', '-d', 'postgres', '-tAc', 'select 40 + 2']);
    expect(query).toMatchObject({ stdout: '42\n', exit_code: 0 });
  });

  it('Exec inside a service', async () => {
    await givenRedis(true);

    const result = await sandbox.services.exec('redis', ['redis-cli', 'ping'])
    console.log(result.stdout) // "PONG\n"

    expect(console.lines).toEqual(['PONG\n']);
    expect(result).toMatchObject({ stdout: 'PONG\n', exit_code: 0 });
    // The HTTP body of the same sample: { "cmd": ["redis-cli", "ping"], "timeout_secs": 10 }
    expect(await sandbox.services.exec('redis', ['redis-cli', 'ping'], { timeout_secs: 10 })).toMatchObject({ stdout: 'PONG\n', exit_code: 0, timed_out: false });
    const slow = await sandbox.services.exec('redis', ['sleep', '30'], { timeout_secs: 0.5 });
    expect(slow).toMatchObject({ timed_out: true });
  });

  it('Delete a service', async () => {
    await givenRedis(true);
    const pid = (await sandbox.services.get('redis')).pid as number;

    await sandbox.services.delete('redis')

    expect(alive(pid)).toBe(false);
    expect(await portIsFree(6379)).toBe(true);
    const error = await sandbox.services.get('redis').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SbxError);
    expect(error).toMatchObject({ status: 404 });
  });
});
