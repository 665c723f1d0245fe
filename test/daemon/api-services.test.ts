// The services seed's routes over a real socket: shapes, statuses, exec, and errors with `field`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/daemon/api-client.js';
import { cleanupTestDaemons, rawRequest, startTestDaemon, type TestDaemon, waitFor } from './helpers/test-daemon.js';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon();
});
afterAll(cleanupTestDaemons);

const apiError = async (promise: Promise<unknown>): Promise<ApiError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
};

describe('PUT /v1/services/{name}', () => {
  it('creates a service (201) in the seed shape, stopped until started', async () => {
    const { status, body } = await rawRequest(
      t.daemon.socketPath,
      'PUT',
      '/v1/services/redis',
      JSON.stringify({ cmd: 'redis-server', args: ['--port', '6379'], env: { REDIS_LOGLEVEL: 'warning' }, health_port: 6379, container: false, image: '' }),
    );
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: 'redis',
      cmd: 'redis-server',
      args: ['--port', '6379'],
      env: { REDIS_LOGLEVEL: 'warning' },
      health_port: 6379,
      needs: [],
      container: false,
      image: '',
      status: 'stopped',
      pid: null,
      owner: 'api',
    });
  });

  it('updates an existing service (200)', async () => {
    const { status, body } = await rawRequest(t.daemon.socketPath, 'PUT', '/v1/services/redis', JSON.stringify({ cmd: 'redis-server', args: ['--port', '6380'], health_port: 6380 }));
    expect(status).toBe(200);
    expect(body.args).toEqual(['--port', '6380']);
  });

  it.each([
    ['a wrong type', { cmd: 'x', health_port: '6379x' }, 'health_port'],
    ['an unknown key', { cmd: 'x', comd: 'y' }, 'comd'],
    ['a missing cmd', { args: ['a'] }, 'cmd'],
  ])('rejects %s with 400 naming the field', async (_label, body, field) => {
    const error = await apiError(t.client.upsertService('bad', body as never));
    expect(error).toMatchObject({ status: 400, field });
    expect(error.message).not.toBe('');
  });

  it('rejects a body that is not an object', async () => {
    const { status, body } = await rawRequest(t.daemon.socketPath, 'PUT', '/v1/services/bad', '[1,2]');
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid-request', field: 'body' });
  });

  it('rejects an invalid name in the path', async () => {
    const { status, body } = await rawRequest(t.daemon.socketPath, 'PUT', '/v1/services/Bad_Name', JSON.stringify({ cmd: 'x' }));
    expect(status).toBe(400);
    expect(body.error.field).toBe('name');
  });

  it('refuses a name a server already has (409)', async () => {
    await t.client.startServer({ slug: 'taken', start: 'sleep 100' });
    const error = await apiError(t.client.upsertService('taken', { cmd: 'x' }));
    expect(error).toMatchObject({ status: 409, code: 'conflict', field: 'name' });
  });

  it('never answers a secret value', async () => {
    const view = await t.client.upsertService('secretive', { cmd: 'sleep', args: ['100'], env: { API_KEY: 'canary-51f0', PLAIN: 'visible' } });
    expect(view.env).toEqual({ API_KEY: '***', PLAIN: 'visible' });
    const everywhere = JSON.stringify([view, await t.client.getService('secretive'), await t.client.listServices(), await t.client.status()]);
    expect(everywhere).not.toContain('canary-51f0');
  });
});

describe('start, stop, get, list, delete', () => {
  it('start runs the service; get shows running and its pid once ready', async () => {
    await t.client.upsertService('cache', { cmd: 'sleep', args: ['100'] });
    await t.client.startService('cache');
    const svc = await waitFor(async () => {
      const s = await t.client.getService('cache');
      return s.status === 'running' ? s : null;
    });
    expect(svc.pid).toBeGreaterThan(0);
    expect(svc.phase).toBe('ready');
  });

  it('starting a service starts its needs first', async () => {
    await t.client.upsertService('postgres', { cmd: 'postgres', health_port: 5432 });
    await t.client.upsertService('pgbouncer', { cmd: 'pgbouncer', needs: ['postgres'], health_port: 6432 });
    await t.client.startService('pgbouncer');
    const calls = t.engine.calls.filter((c) => c === 'start postgres' || c === 'start pgbouncer');
    expect(calls).toEqual(['start pgbouncer', 'start postgres']);
    const order = Object.values(t.engine.observed.units)
      .filter((u) => u.name === 'postgres' || u.name === 'pgbouncer')
      .sort((a, b) => (a.run_id ?? '').localeCompare(b.run_id ?? ''))
      .map((u) => u.name);
    expect(order).toEqual(['postgres', 'pgbouncer']);
  });

  it('stop answers the stopped service and keeps its definition', async () => {
    const view = await t.client.stopService('cache');
    expect(view).toMatchObject({ name: 'cache', status: 'stopped', pid: null, enabled: false });
    expect((await t.client.getService('cache')).cmd).toBe('sleep');
  });

  it('list answers services only, sorted', async () => {
    const names = (await t.client.listServices()).map((s) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('redis');
    expect(names).not.toContain('taken');
  });

  it('get of an unknown service is 404 with field name', async () => {
    const error = await apiError(t.client.getService('nope'));
    expect(error).toMatchObject({ status: 404, code: 'not-found', field: 'name' });
  });

  it('get of a server through the services routes is 404 with a hint', async () => {
    const error = await apiError(t.client.getService('taken'));
    expect(error.status).toBe(404);
    expect(error.message).toContain('/v1/servers/taken');
  });

  it.each(['start', 'stop', 'exec'])('%s of an unknown service is 404', async (action) => {
    const { status, body } = await rawRequest(t.daemon.socketPath, 'POST', `/v1/services/ghost/${action}`, action === 'exec' ? JSON.stringify({ cmd: ['true'] }) : undefined);
    expect(status).toBe(404);
    expect(body.error.code).toBe('not-found');
  });

  it('delete stops and removes the service', async () => {
    await t.client.upsertService('doomed', { cmd: 'sleep', args: ['100'] });
    expect(await t.client.deleteService('doomed')).toEqual({ name: 'doomed', deleted: true });
    expect((await apiError(t.client.getService('doomed'))).status).toBe(404);
    expect(t.engine.calls).toContain('remove doomed');
  });
});

describe('POST /v1/services/{name}/exec', () => {
  beforeAll(async () => {
    await t.client.upsertService('shell', { cmd: 'sleep', args: ['100'], working_dir: '/tmp', env: { GREETING: 'hello there' } });
  });

  it('runs the argv and answers stdout, stderr and the exit code (trailing newline kept)', async () => {
    const result = await t.client.execService('shell', ['sh', '-c', 'echo PONG; echo oops >&2; exit 3']);
    expect(result).toEqual({ stdout: 'PONG\n', stderr: 'oops\n', exit_code: 3, timed_out: false });
  });

  it("runs in the unit's folder with its environment", async () => {
    const result = await t.client.execService('shell', ['sh', '-c', 'pwd; printf %s "$GREETING"']);
    expect(result.stdout).toBe('/tmp\nhello there');
  });

  it('never passes the argv through a shell', async () => {
    const result = await t.client.execService('shell', ['echo', '$(touch /tmp/sbx-pwned)', ';', 'ls']);
    expect(result.stdout).toBe('$(touch /tmp/sbx-pwned) ; ls\n');
  });

  it('kills the command (and its children) at timeout_secs', async () => {
    const started = Date.now();
    const result = await t.client.execService('shell', ['sh', '-c', 'sleep 30 & sleep 30'], { timeout_secs: 0.3 });
    expect(result.timed_out).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers 400 on cmd.0 for a command that does not exist', async () => {
    const error = await apiError(t.client.execService('shell', ['/no/such/binary']));
    expect(error).toMatchObject({ status: 400, field: 'cmd.0' });
  });

  it.each([
    ['no cmd', {}, 'cmd'],
    ['cmd as a string', { cmd: 'redis-cli ping' }, 'cmd'],
    ['an empty cmd', { cmd: [] }, 'cmd'],
    ['a non-string argument', { cmd: ['echo', 1] }, 'cmd.1'],
    ['a negative timeout', { cmd: ['true'], timeout_secs: -1 }, 'timeout_secs'],
    ['timeout_ms instead of timeout_secs', { cmd: ['true'], timeout_ms: 10 }, 'timeout_ms'],
    ['a NUL byte in an argument', { cmd: ['echo', 'a\u0000b'] }, 'cmd.1'],
  ])('rejects %s with 400 naming the field', async (_label, body, field) => {
    const { status, body: answer } = await rawRequest(t.daemon.socketPath, 'POST', '/v1/services/shell/exec', JSON.stringify(body));
    expect(status).toBe(400);
    expect(answer.error).toMatchObject({ code: 'invalid-request', field });
  });
});
