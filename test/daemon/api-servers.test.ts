// The managed-servers seed's routes over a real socket: start with every seed field, list, retrieve, stop, restart,
// delete and logs (text and follow).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/daemon/api-client.js';
import { cleanupTestDaemons, rawRequest, startTestDaemon, type TestDaemon, waitFor } from './helpers/test-daemon.js';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon();
});
afterAll(cleanupTestDaemons);

const failure = async (promise: Promise<unknown>): Promise<ApiError> => promise.then(
  () => {
    throw new Error('expected the call to fail');
  },
  (error: unknown) => {
    if (error instanceof ApiError) return error;
    throw error;
  },
);

describe('POST /v1/servers (start)', () => {
  it('creates and starts a server with every seed field', async () => {
    const server = await t.client.startServer({
      slug: 'nextjs',
      install: 'npm install',
      start: 'npm run dev',
      path: '.',
      port: 3000,
      strict_port: false,
      environment: { NODE_ENV: 'development', NEXT_PUBLIC_API_URL: 'https://api.example.com' },
      restart_policy: 'on-failure',
      max_restarts: 3,
      restart_delay_ms: 1000,
      stop_timeout_ms: 10000,
      health_check: { path: '/', interval_ms: 5000, timeout_ms: 3000, delay_ms: 5000 },
    });
    expect(server).toMatchObject({
      slug: 'nextjs',
      status: 'starting',
      install: 'npm install',
      start: 'npm run dev',
      path: t.dir,
      environment: { NODE_ENV: 'development', NEXT_PUBLIC_API_URL: 'https://api.example.com' },
      restart_policy: 'on-failure',
      max_restarts: 3,
      restart_delay_ms: 1000,
      stop_timeout_ms: 10000,
      health_check: { path: '/', interval_ms: 5000, timeout_ms: 3000, delay_ms: 5000 },
      restart_count: 0,
      healthy: false,
      health_status: 'checking',
      owner: 'api',
    });
    expect(server.pid).toBeGreaterThan(0);
  });

  it('retrieve goes to ready with url, port, pid, healthy and health_status', async () => {
    const server = await waitFor(async () => {
      const s = await t.client.getServer('nextjs');
      return s.status === 'ready' ? s : null;
    });
    expect(server).toMatchObject({ url: 'http://127.0.0.1:3000', port: 3000, healthy: true, health_status: 'healthy' });
  });

  it('builds url on the host the daemon was given (--url-host / $SBX_URL_HOST)', async () => {
    const named = await startTestDaemon({ urlHost: 'dev.example.test' });
    await named.client.startServer({ slug: 'web', start: 'npm run dev', port: 3100 });
    const server = await waitFor(async () => {
      const s = await named.client.getServer('web');
      return s.status === 'ready' ? s : null;
    });
    expect(server.url).toBe('http://dev.example.test:3100');
    expect((await named.client.listServers())[0]?.url).toBe('http://dev.example.test:3100');
  });

  it.each([
    ['no slug', { start: 'x' }, 'slug'],
    ['an invalid slug', { slug: '../etc', start: 'x' }, 'slug'],
    ['a bad restart_policy', { slug: 'p', start: 'x', restart_policy: 'sometimes' }, 'restart_policy'],
    ['an unknown field', { slug: 'p', start: 'x', startt: 'y' }, 'startt'],
  ])('rejects %s with 400 naming the field', async (_label, body, field) => {
    const { status, body: answer } = await rawRequest(t.daemon.socketPath, 'POST', '/v1/servers', JSON.stringify(body));
    expect(status).toBe(400);
    expect(answer.error.field).toBe(field);
  });

  it('refuses a slug a service already has (409)', async () => {
    await t.client.upsertService('svc', { cmd: 'sleep', args: ['100'] });
    expect(await failure(t.client.startServer({ slug: 'svc', start: 'x' }))).toMatchObject({ status: 409, field: 'slug' });
  });
});

describe('list, stop, restart, delete', () => {
  it('list answers servers only', async () => {
    await t.client.startServer({ slug: 'api', start: 'node server.js', restart_policy: 'always', max_restarts: 0 });
    const servers = await t.client.listServers();
    expect(servers.map((s) => s.slug)).toEqual(['api', 'nextjs']);
  });

  it('stop keeps the config', async () => {
    const stopped = await t.client.stopServer('api');
    expect(stopped).toMatchObject({ slug: 'api', status: 'stopped', pid: null, url: null, start: 'node server.js', restart_policy: 'always' });
    expect((await t.client.getServer('api')).status).toBe('stopped');
  });

  it('restart answers the server with status starting', async () => {
    const server = await t.client.restartServer('api');
    expect(server.status).toBe('starting');
    expect(server.restart_count).toBe(1);
  });

  it('delete stops and removes it', async () => {
    expect(await t.client.deleteServer('api')).toEqual({ slug: 'api', deleted: true });
    expect((await failure(t.client.getServer('api'))).status).toBe(404);
  });

  it.each([
    ['GET', '/v1/servers/ghost'],
    ['POST', '/v1/servers/ghost/stop'],
    ['POST', '/v1/servers/ghost/restart'],
    ['DELETE', '/v1/servers/ghost'],
    ['GET', '/v1/servers/ghost/logs'],
  ])('%s %s is 404', async (method, path) => {
    const { status, body } = await rawRequest(t.daemon.socketPath, method, path);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'not-found' });
  });
});

describe('GET /v1/servers/{slug}/logs', () => {
  beforeAll(() => {
    t.logs.emit('nextjs', 'stdout', 'ready on 3000');
    t.logs.emit('nextjs', 'stderr', 'warning: slow');
    t.logs.emit('nextjs', 'stdout', 'GET / 200');
  });

  it.each([
    [{}, 'ready on 3000\nwarning: slow\nGET / 200\n'],
    [{ stream: 'stdout' as const }, 'ready on 3000\nGET / 200\n'],
    [{ stream: 'stderr' as const }, 'warning: slow\n'],
    [{ stream: 'combined' as const, tail: 1 }, 'GET / 200\n'],
  ])('%j -> the lines as one string', async (options, logs) => {
    expect(await t.client.serverLogs('nextjs', options)).toEqual({ logs });
  });

  it('?format=lines answers each line with its stream and time', async () => {
    const { status, body } = await rawRequest(t.daemon.socketPath, 'GET', '/v1/servers/nextjs/logs?format=lines&tail=2');
    expect(status).toBe(200);
    expect(body.lines.map((l: { stream: string; text: string }) => [l.stream, l.text])).toEqual([
      ['stderr', 'warning: slow'],
      ['stdout', 'GET / 200'],
    ]);
    expect(typeof body.lines[0].ts).toBe('number');
  });

  it.each([
    ['stream=both', 'stream'],
    ['tail=-1', 'tail'],
    ['tail=many', 'tail'],
    ['follow=yes', 'follow'],
  ])('rejects ?%s with 400 naming the field', async (query, field) => {
    const { status, body } = await rawRequest(t.daemon.socketPath, 'GET', `/v1/servers/nextjs/logs?${query}`);
    expect(status).toBe(400);
    expect(body.error.field).toBe(field);
  });

  it('follow=1 streams the tail, then new lines, as NDJSON', async () => {
    const stream = await t.client.followServerLogs('nextjs', { stream: 'stdout', tail: 1 });
    const seen: string[] = [];
    for await (const line of stream) {
      seen.push(line.text);
      if (seen.length === 1) t.logs.emit('nextjs', 'stdout', 'GET /about 200');
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['GET / 200', 'GET /about 200']);
  });
});
