// The seed samples that name fixed places on the machine: /app, /templates/nextjs, /templates/react, port 3000 (and
// the services seed's container sample, which serves on 3000 too). One file, so they never run side by side. Each
// `it` pastes one sample as literally as possible (`compute.sandbox.create(...)` becomes `Sandbox.connect({ dir,
// ... })`); the fixture trees are laid down before and removed after each sample.

import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SbxError } from '../../src/index.js';
import { PodmanFixture } from '../container/podman-fixture.js';
import { eventually } from '../helpers/eventually.js';
import { ensureSampleNodeImage, removeSampleNodeImage } from './node-image.js';
import { get, phasesOf, ready, recordEvents, serverWhen } from './seed-harness.js';
import {
  deleteAllUnits,
  fetchText,
  layFixtureTree,
  portIsFree,
  prepareDaemonEnvironment,
  removeFixtureTree,
  removeFixtureTrees,
  requirePrograms,
  SampleConsole,
  shutdownAll,
  tempFixtureProject,
} from './seed-env.js';

// The samples print with console.log; here that records the lines for the assertions.
const console = new SampleConsole();

let main: Sandbox;
let projectDir: string;
const sandboxes: Sandbox[] = [];
/** Sandboxes a sample created on a project of its own: shut down after that sample. */
const extras: Sandbox[] = [];
const folders: string[] = [];
const createdParents: string[] = [];
let restoreEnv: () => void = () => undefined;

/** A project folder of its own (for the samples that create a sandbox with servers). */
const newProject = async (): Promise<string> => {
  const dir = await tempFixtureProject();
  folders.push(dir);
  return dir;
};

/** Keeps a sandbox a sample created, for the cleanup. */
const track = (sandbox: Sandbox): Sandbox => {
  extras.push(sandbox);
  return sandbox;
};

beforeAll(async () => {
  restoreEnv = prepareDaemonEnvironment();
  requirePrograms(['npm', 'node']);
  for (const path of ['/app', '/templates/nextjs', '/templates/react']) await removeFixtureTree(path);
  if (!existsSync('/templates')) createdParents.push('/templates');
  if (!(await portIsFree(3000))) throw new Error('port 3000 is taken on 127.0.0.1; the seed samples that request it need it free');
  projectDir = await newProject();
  main = await Sandbox.connect({ dir: projectDir });
  sandboxes.push(main);
});

afterEach(async () => {
  console.clear();
  await shutdownAll(extras, []);
  await deleteAllUnits(main);
  await removeFixtureTree('/app');
  await removeFixtureTrees();
});

afterAll(async () => {
  await shutdownAll(sandboxes, folders);
  await removeFixtureTrees(createdParents);
  restoreEnv();
});

describe('managed-servers seed samples at /app, /templates and port 3000', () => {
  it('Start a simple server', async () => {
    await layFixtureTree('/app');

    const sandbox = await Sandbox.connect({ dir: projectDir });

    // Start a simple server
    const server = await sandbox.server.start({
      slug: 'web',
      start: 'npm run dev',
      path: '/app',
    });

    console.log(server.slug);    // 'web'
    console.log(server.status);  // 'starting' -> 'running' -> 'ready'
    console.log(server.url);     // Public URL when ready

    expect(console.lines[0]).toBe('web');
    expect(['starting', 'running', 'ready']).toContain(console.lines[1]);
    const up = await ready(sandbox, 'web');
    expect(up.url).toBe(`http://127.0.0.1:${up.port}`);
    expect(await get(up)).toEqual({ status: 200, body: 'hello from dev in /app (template none)' });
  });

  it('Install commands: installing -> starting -> running -> ready', async () => {
    await layFixtureTree('/app');
    const sandbox = main;
    const recorder = await recordEvents(sandbox);

    const server = await sandbox.server.start({
      slug: 'web',
      install: 'npm install',        // Runs first, blocking
      start: 'npm run dev',          // Runs after install completes
      path: '/app',
    });

    // Status progression: installing -> starting -> running -> ready
    expect(['installing', 'starting']).toContain(server.status);
    await ready(sandbox, 'web');
    // The status answer can come before the event stream delivers the same change: wait for the event itself.
    await eventually(() => phasesOf(recorder.events, 'web').includes('ready'), { message: 'web ready event' });
    recorder.stop();
    const phases = phasesOf(recorder.events, 'web');
    expect(phases[0]).toBe('installing');
    expect(phases.indexOf('installing')).toBeLessThan(phases.indexOf('starting'));
    expect(phases.indexOf('starting')).toBeLessThan(phases.indexOf('ready'));
    expect(existsSync('/app/package-lock.json')).toBe(true);
  });

  it('Request a specific port', async () => {
    const sandbox = main;

    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      port: 3000,              // Request port 3000
      strict_port: false,      // If taken, use next available (default)
    });

    // Fail if port is taken
    await sandbox.server.start({
      slug: 'api',
      start: 'node server.js',
      port: 3000,
      strict_port: true,       // Fail if port 3000 is not available
    });

    const api = await ready(sandbox, 'api');
    expect(api).toMatchObject({ port: 3000, strict_port: true, url: 'http://127.0.0.1:3000' });
    expect(JSON.parse((await get(api, '/env')).body)).toMatchObject({ PORT: '3000' });
    // With 3000 taken (by api): strict_port false moves to the next free port, strict_port true fails.
    await sandbox.server.start({ slug: 'api-next', start: 'node server.js', port: 3000, strict_port: false });
    const next = await ready(sandbox, 'api-next');
    expect(next.port).toBeGreaterThan(3000);
    expect((await get(next)).status).toBe(200);
    const strict = await sandbox.server.start({ slug: 'api-strict', start: 'node server.js', port: 3000, strict_port: true }).catch((e: unknown) => e);
    if (strict instanceof SbxError) {
      expect(strict.message).toMatch(/3000/);
    } else {
      const failed = await serverWhen(sandbox, 'api-strict', (s) => s.status === 'failed');
      expect(failed.last_error).toMatch(/3000/);
    }
  });

  it('Define servers when creating a sandbox', async () => {
    await layFixtureTree('/app');
    const dir = await newProject();

    const sandbox = track(await Sandbox.connect({ dir,
      servers: [{
        slug: 'web',
        install: 'npm install',
        start: 'npm run dev',
        path: '/app',
        restart_policy: 'on-failure',
        health_check: {
          path: '/',
          interval_ms: 5000,
        },
      }],
    }));

    const web = await ready(sandbox, 'web');
    expect(web).toMatchObject({ restart_policy: 'on-failure', healthy: true, owner: 'manifest', health_check: { path: '/', interval_ms: 5000 } });
    expect(await get(web)).toEqual({ status: 200, body: 'hello from dev in /app (template none)' });
    // Connecting again with the same declarations changes nothing.
    const again = track(await Sandbox.connect({ dir, servers: [{ slug: 'web', install: 'npm install', start: 'npm run dev', path: '/app', restart_policy: 'on-failure', health_check: { path: '/', interval_ms: 5000 } }] }));
    expect((await again.plan()).in_sync).toBe(true);
    expect((await again.server.retrieve('web')).pid).toBe(web.pid);
  });

  it('Overlays, then the server: it waits for the overlay to complete', async () => {
    await layFixtureTree('/templates/nextjs', 'nextjs');
    const dir = await newProject();

    const sandbox = track(await Sandbox.connect({ dir,
      overlays: [{
        source: '/templates/nextjs',
        target: '/app',
        strategy: 'smart',
      }],
      servers: [{
        slug: 'dev',
        install: 'npm install',
        start: 'npm run dev',
        path: '/app',
        health_check: { path: '/' },
      }],
    }));

    // Server automatically waits for overlay to complete

    const dev = await ready(sandbox, 'dev');
    expect(dev.needs).toEqual(['overlay-1']);
    expect((await sandbox.status()).overlays).toMatchObject([{ name: 'overlay-1', status: 'complete' }]);
    expect(await get(dev)).toEqual({ status: 200, body: 'hello from dev in /app (template nextjs)' });
    // npm install wrote into the copy, never into the template.
    expect(existsSync('/app/package-lock.json')).toBe(true);
    expect(existsSync('/templates/nextjs/package-lock.json')).toBe(false);
  });

  it('Inline overlay with server.start()', async () => {
    await layFixtureTree('/templates/react', 'react');
    const sandbox = main;

    await sandbox.server.start({
      slug: 'web',
      start: 'npm run dev',
      path: '/app',
      overlay: {
        source: '/templates/react',
        target: '/app',
        strategy: 'smart',
      },
    });

    const web = await ready(sandbox, 'web');
    expect(await get(web)).toEqual({ status: 200, body: 'hello from dev in /app (template react)' });
    expect((await sandbox.status()).overlays).toContainEqual(expect.objectContaining({ name: 'web-overlay', status: 'complete' }));
  });

  it('Complete example: a Next.js dev server, waiting for it to be ready', async () => {
    await layFixtureTree('/app');

    // Create a production-ready development environment
    const sandbox = await Sandbox.connect({ dir: projectDir });

    // Start a Next.js dev server with full configuration
    const server = await sandbox.server.start({
      slug: 'nextjs',
      
      // Installation
      install: 'npm install',
      
      // Start command
      start: 'npm run dev',
      path: '/app',
      
      // Port configuration
      port: 3000,
      
      // Environment
      environment: {
        NODE_ENV: 'development',
        NEXT_PUBLIC_API_URL: 'https://api.example.com',
      },
      
      // Reliability
      restart_policy: 'on-failure',
      max_restarts: 3,
      restart_delay_ms: 1000,
      stop_timeout_ms: 10000,
      
      // Health monitoring
      health_check: {
        path: '/',
        interval_ms: 5000,
        timeout_ms: 3000,
        delay_ms: 5000,  // Wait for Next.js to compile
      },
    });

    // Wait for server to be ready
    while (server.status !== 'ready') {
      await new Promise(r => setTimeout(r, 1000));
      const updated = await sandbox.server.retrieve('nextjs');
      console.log(`Status: ${updated.status}`);
    }

    console.log(`Server ready at: ${server.url}`);

    expect(console.lines.at(-1)).toBe('Server ready at: http://127.0.0.1:3000');
    expect(console.lines.at(-2)).toBe('Status: ready');
    expect(console.lines.slice(0, -1).every((line) => /^Status: (installing|starting|running|ready)$/.test(line))).toBe(true);
    expect(JSON.parse((await get(server, '/env')).body)).toMatchObject({ NODE_ENV: 'development', NEXT_PUBLIC_API_URL: 'https://api.example.com', PORT: '3000' });
  });
});

describe('services seed: container services', () => {
  const podman = new PodmanFixture();
  let builtImage = false;

  beforeAll(() => {
    podman.prepare();
    builtImage = ensureSampleNodeImage(podman);
    // The daemon runs podman with this machine's settings (runc, cgroupfs); it inherits them when it starts.
    process.env.CONTAINERS_CONF = podman.confPath;
  });

  afterAll(() => {
    if (builtImage) removeSampleNodeImage(podman);
    podman.dispose();
  });

  it('Container services', async () => {
    const dir = await newProject();
    const sandbox = track(await Sandbox.connect({ dir }));

    await sandbox.services.upsert('app', {
    cmd: 'node',
    args: ['server.js'],
    container: true,
    image: 'node:20-slim',
    env: { PORT: '3000' },
    health_port: 3000,
    })
    await sandbox.services.start('app')

    const app = await eventually(async () => {
      const s = await sandbox.services.get('app');
      return s.status === 'running' ? s : null;
    }, { timeoutMs: 60_000, message: 'app running' });
    expect(app).toMatchObject({ container: true, image: 'node:20-slim' });
    expect(await fetchText('http://127.0.0.1:3000/health')).toEqual({ status: 200, body: '{"status":"ok"}' });
    // It runs inside the image: /app/server.js is there, the project folder is not.
    const inside = await sandbox.services.exec('app', ['node', '-e', `console.log(process.cwd(), require('fs').existsSync(${JSON.stringify(dir)}))`]);
    expect(inside).toMatchObject({ stdout: '/app false\n', exit_code: 0 });
    await sandbox.services.delete('app');
    expect(podman.podman(['ps', '--all', '--format', '{{.Image}}']).split('\n').filter((image) => image.includes('node:20-slim'))).toEqual([]);
    expect(await portIsFree(3000)).toBe(true);
  });
});
