// The managed-servers seed's samples (../shared/seeds/003_*.txt) that run in a temp project folder, against a real
// daemon. Each `it` pastes one sample as literally as possible; what comes before it sets the scene, assertions come
// after it. The samples that use /app, /templates or port 3000 are in seed-servers-fixed-paths.test.ts.

import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SbxError } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';
import { get, phasesOf, ready as readyOn, recordEvents, serverWhen } from './seed-harness.js';
import { alive, deleteAllUnits, prepareDaemonEnvironment, requirePrograms, SampleConsole, shutdownAll, tempFixtureProject } from './seed-env.js';

// The samples print with console.log; here that records the lines for the assertions.
const console = new SampleConsole();

let sandbox: Sandbox;
let projectDir: string;
const sandboxes: Sandbox[] = [];
const folders: string[] = [];
let restoreEnv: () => void = () => undefined;

const ready = (slug: string) => readyOn(sandbox, slug);

beforeAll(async () => {
  restoreEnv = prepareDaemonEnvironment();
  requirePrograms(['npm', 'node', 'python', 'pip']);
  projectDir = await tempFixtureProject();
  folders.push(projectDir);
  sandbox = await Sandbox.connect({ dir: projectDir });
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

describe('managed-servers seed samples', () => {
  it('Install commands for Node.js, Python and chained steps', async () => {
    // Node.js project
    await sandbox.server.start({
      slug: 'node-app',
      install: 'npm install',
      start: 'npm start',
    });

    // Python project
    await sandbox.server.start({
      slug: 'python-app',
      install: 'pip install -r requirements.txt',
      start: 'python app.py',
    });

    // Multiple install steps (use && to chain)
    await sandbox.server.start({
      slug: 'fullstack',
      install: 'npm install && npm run build',
      start: 'npm run serve',
    });

    expect(await get(await ready('node-app'))).toEqual({ status: 200, body: `hello from start in ${projectDir} (template none)` });
    expect(await get(await ready('python-app'))).toEqual({ status: 200, body: 'hello from python\n' });
    expect(await get(await ready('fullstack'))).toEqual({ status: 200, body: `hello from serve in ${projectDir} (template none)` });
    expect(await readFile(`${projectDir}/build-output.txt`, 'utf8')).toBe('built');
  });

  it('Restart policies', async () => {
    // Restart on crashes only
    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      restart_policy: 'on-failure',
      max_restarts: 5,           // Give up after 5 restarts
      restart_delay_ms: 2000,    // Wait 2 seconds between restarts
    });

    // Always keep running (like a daemon)
    await sandbox.server.start({
      slug: 'worker',
      start: 'node worker.js',
      restart_policy: 'always',
      max_restarts: 0,           // Unlimited restarts
    });

    // worker.js exits 0 after its tick: "always" runs it again, and again.
    await eventually(async () => (await sandbox.server.retrieve('worker')).restart_count >= 2, { timeoutMs: 30_000, message: 'worker restarted twice' });
    // api crashes (exit 3) once: "on-failure" brings it back after restart_delay_ms.
    const before = await ready('api');
    const crashedAt = Date.now();
    await get(before, '/crash');
    const after = await eventually(async () => {
      const s = await sandbox.server.retrieve('api');
      return s.status === 'ready' && s.pid !== before.pid ? { ...s } : null;
    }, { timeoutMs: 30_000, message: 'api back after its crash' });
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(2000);
    expect(after).toMatchObject({ restart_count: 1, exit_code: 3 });
  });

  it('Restart count', async () => {
    await sandbox.server.start({ slug: 'api', start: 'node server.js', restart_policy: 'on-failure', restart_delay_ms: 100 });
    const first = await ready('api');
    await get(first, '/crash');
    await eventually(async () => {
      const s = await sandbox.server.retrieve('api');
      return s.status === 'ready' && s.pid !== first.pid;
    }, { timeoutMs: 20_000, message: 'api restarted' });

    const server = await sandbox.server.retrieve('api');
    console.log(server.restart_count);  // Number of restarts so far

    expect(console.lines).toEqual(['1']);
  });

  it('Health checks', async () => {
    const startedAt = Date.now();

    await sandbox.server.start({
      slug: 'web',
      start: 'npm run dev',
      health_check: {
        path: '/health',        // HTTP path to check
        interval_ms: 5000,      // Check every 5 seconds
        timeout_ms: 3000,       // Timeout for each check
        delay_ms: 2000,         // Wait before first check
      },
    });

    const early = await sandbox.server.retrieve('web');
    expect(early).toMatchObject({ healthy: false, health_status: 'checking' });
    expect(early.status).not.toBe('ready');
    const up = await ready('web');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
    expect(up).toMatchObject({ healthy: true, health_status: 'healthy', health_check: { path: '/health', interval_ms: 5000, timeout_ms: 3000, delay_ms: 2000 } });
    // The fixture serves the seed's Express.js health endpoint verbatim.
    expect(await get(up, '/health')).toEqual({ status: 200, body: '{"status":"ok"}' });
  });

  it('Health status of a server', async () => {
    await sandbox.server.start({ slug: 'web', start: 'npm run dev', health_check: { path: '/health', interval_ms: 500, delay_ms: 0 } });
    await ready('web');

    const server = await sandbox.server.retrieve('web');
    console.log(server.healthy);        // true | false
    console.log(server.health_status);  // 'healthy' | 'unhealthy' | 'checking'

    expect(console.lines).toEqual(['true', 'healthy']);
  });

  it('Health check paths: Next.js root page, an API’s /ready endpoint', async () => {
    // Next.js - check the root page
    await sandbox.server.start({ slug: 'next', start: 'npm run dev', health_check: { path: '/' } });
    // API with database - check a /ready endpoint
    await sandbox.server.start({ slug: 'api', start: 'node server.js', health_check: { path: '/ready' } });
    // And a path the server does not serve (404) never lets it become ready.
    await sandbox.server.start({ slug: 'wrong', start: 'node server.js', health_check: { path: '/nope', interval_ms: 200, delay_ms: 0 } });

    expect(await ready('next')).toMatchObject({ healthy: true, health_check: { path: '/' } });
    expect(await ready('api')).toMatchObject({ healthy: true, health_check: { path: '/ready' } });
    // By now `wrong` has been probed every 200 ms for the seconds the others' default 5 s delay took.
    expect(await sandbox.server.retrieve('wrong')).toMatchObject({ status: 'running', healthy: false, health_status: 'checking' });
  });

  it('Environment variables: inline', async () => {
    // Inline environment variables
    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      environment: {
        NODE_ENV: 'production',
        PORT: '3000',
        DEBUG: 'app:*',
      },
    });

    const up = await ready('api');
    // PORT is the port sbx assigned (what the server must listen on), whatever the environment says.
    expect(JSON.parse((await get(up, '/env')).body)).toMatchObject({ NODE_ENV: 'production', DEBUG: 'app:*', PORT: String(up.port) });
  });

  it('Environment variables: from a .env file', async () => {
    // From a .env file
    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      env_file: '.env.production',
    });

    const up = await ready('api');
    expect(JSON.parse((await get(up, '/env')).body)).toMatchObject({ NODE_ENV: 'production', FROM_ENV_PRODUCTION: 'yes', DEBUG: null });
  });

  it('Environment variables: both, inline takes precedence', async () => {
    // Both (inline takes precedence)
    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      env_file: '.env',
      environment: {
        DEBUG: 'true',  // Overrides .env if present
      },
    });

    const up = await ready('api');
    // .env says DEBUG=from-dotenv and FROM_ENV=yes.
    expect(JSON.parse((await get(up, '/env')).body)).toMatchObject({ DEBUG: 'true', FROM_ENV: 'yes' });
  });

  it('Graceful shutdown', async () => {
    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      stop_timeout_ms: 15000,  // Wait 15 seconds for graceful shutdown
    });

    const up = await ready('api');
    expect(up.stop_timeout_ms).toBe(15000);
    await get(up, '/health'); // it listens, so its SIGTERM handler is in place
    const stoppingAt = Date.now();
    const stopped = await sandbox.server.stop('api');
    // SIGTERM reached the server, which closed on its own well before the timeout.
    expect(Date.now() - stoppingAt).toBeLessThan(15000);
    expect(stopped).toMatchObject({ status: 'stopped', pid: null });
    expect(alive(up.pid as number)).toBe(false);
    expect((await sandbox.server.logs('api', { stream: 'stdout' })).logs).toContain('SIGTERM: closing');
  });

  it('Start with the seed’s placeholder options', async () => {
    const sample = async () => {
      // @ts-expect-error the seed's placeholder `{ /* options */ }` leaves out the required slug and start
      const server = await sandbox.server.start({ /* options */ });
      return server;
    };

    const error = await sample().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SbxError);
    expect(error).toMatchObject({ status: 400, field: 'slug' });
    expect((error as SbxError).message).toMatch(/slug/);
  });

  it('List servers', async () => {
    await sandbox.server.start({ slug: 'api', start: 'node server.js' });
    await sandbox.server.start({ slug: 'docs', start: 'node server.js' });
    await sandbox.server.stop('docs');
    const api = await ready('api');

    const servers = await sandbox.server.list();
    servers.forEach(s => {
      console.log(`${s.slug}: ${s.status} at ${s.url || 'no URL yet'}`);
    });

    expect(console.lines).toEqual([`api: ready at http://127.0.0.1:${api.port}`, 'docs: stopped at no URL yet']);
  });

  it('Retrieve a server', async () => {
    await sandbox.server.start({ slug: 'api', start: 'node server.js' });
    const api = await ready('api');

    const server = await sandbox.server.retrieve('api');
    console.log(server.status);       // Current status
    console.log(server.url);          // Public URL
    console.log(server.port);         // Assigned port
    console.log(server.pid);          // Process ID
    console.log(server.healthy);      // Health check status
    console.log(server.restart_count);

    expect(console.lines).toEqual(['ready', `http://127.0.0.1:${api.port}`, String(api.port), String(api.pid), 'true', '0']);
  });

  it('Stop and delete', async () => {
    await sandbox.server.start({ slug: 'api', start: 'node server.js' });
    const api = await ready('api');
    const recorder = await recordEvents(sandbox);

    // Stop (graceful shutdown, keeps config)
    await sandbox.server.stop('api');

    // Delete (stops and removes config)
    await sandbox.server.delete('api');

    await eventually(() => recorder.events.some((e) => e.type === 'unit-removed' && e.unit === 'api'), { message: 'api removed' });
    recorder.stop();
    // Stopped by `stop` (the config stays: `delete` still finds it), then removed by `delete`.
    expect(phasesOf(recorder.events, 'api').slice(0, 2)).toEqual(['stopping', 'stopped']);
    const stoppedAt = recorder.events.findIndex((e) => e.type === 'unit-phase' && e.unit === 'api' && e.phase === 'stopped');
    expect(recorder.events.findIndex((e) => e.type === 'unit-removed' && e.unit === 'api')).toBeGreaterThan(stoppedAt);
    expect(alive(api.pid as number)).toBe(false);
    expect(await sandbox.server.retrieve('api').catch((e: unknown) => e)).toMatchObject({ name: 'SbxError', status: 404 });
  });

  it('Restart a server', async () => {
    await sandbox.server.start({ slug: 'api', start: 'node server.js' });
    const before = await ready('api');

    const server = await sandbox.server.restart('api');
    console.log(server.status);  // 'starting'

    expect(console.lines).toEqual(['starting']);
    const after = await serverWhen(sandbox, 'api', (s) => s.status === 'ready' && s.pid !== before.pid);
    expect(alive(before.pid as number)).toBe(false);
    expect((await get(after)).status).toBe(200);
  });

  it('Logs', async () => {
    await sandbox.server.start({ slug: 'api', start: 'node server.js' });
    const api = await ready('api');
    await eventually(async () => (await sandbox.server.logs('api')).logs.includes('on stderr'), { message: 'both lines logged' });

    // Get combined logs
    const logs = await sandbox.server.logs('api');
    console.log(logs.logs);

    // Get stdout only
    const stdout = await sandbox.server.logs('api', { stream: 'stdout' });

    // Get stderr only
    const stderr = await sandbox.server.logs('api', { stream: 'stderr' });

    const out = `listening on ${api.port}`;
    const err = 'says hello on stderr';
    expect(console.lines).toEqual([logs.logs]);
    expect(logs.logs).toContain(out);
    expect(logs.logs).toContain(err);
    expect(logs.logs.indexOf(out)).toBeLessThan(logs.logs.indexOf(err));
    expect(stdout.logs).toContain(out);
    expect(stdout.logs).not.toContain(err);
    expect(stderr.logs).toContain(err);
    expect(stderr.logs).not.toContain(out);
  });
});
