// Daemon-wide routes, the generic unit routes, error shapes for fastify's own failures, and durable state:
// saved after changes (0600), handed to the engine's adopt on the next start, a corrupt file kept aside.

import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.js';
import { FakeEngine } from '../../src/daemon/testing/fake-engine.js';
import { parseSavedState } from '../../src/state/saved-state.js';
import { cleanupTestDaemons, rawRequest, startTestDaemon, tempProject, waitFor } from './helpers/test-daemon.js';

afterEach(cleanupTestDaemons);

describe('GET /v1/health and /v1/status', () => {
  it('health says who and where', async () => {
    const t = await startTestDaemon();
    expect(await t.client.health()).toMatchObject({ ok: true, pid: process.pid, state_dir: t.stateDir, socket: t.daemon.socketPath, manifest_path: null });
  });

  it('status lists every unit with phase, hold, pid, port and restarts', async () => {
    const t = await startTestDaemon();
    await t.client.startServer({ slug: 'web', start: 'sleep 100', port: 4100 });
    await t.client.upsertService('db', { cmd: 'sleep', args: ['100'], health_port: 5432 });
    const status = await waitFor(async () => {
      const s = await t.client.status();
      return s.units.find((u) => u.name === 'web')?.phase === 'ready' ? s : null;
    });
    expect(status.units.map((u) => [u.name, u.kind, u.phase, u.enabled])).toEqual([
      ['db', 'service', 'pending', false],
      ['web', 'server', 'ready', true],
    ]);
    expect(status.units[1]).toMatchObject({ port: 4100, restart_count: 0, hold: null, healthy: null });
    expect(status.units[0]).toMatchObject({ health_status: 'unhealthy', healthy: false });
  });
});

describe('GET /v1/events', () => {
  it('streams engine events as NDJSON from the moment it answers', async () => {
    const t = await startTestDaemon();
    const events = await t.client.events();
    await t.client.startServer({ slug: 'web', start: 'sleep 100' });
    const seen: EngineEvent[] = [];
    for await (const event of events) {
      seen.push(event);
      if (event.type === 'unit-phase' && event.phase === 'ready') break;
    }
    expect(seen.map((e) => (e.type === 'unit-phase' ? `${e.unit}:${e.phase}` : e.type))).toEqual(['web:starting', 'web:ready']);
  });
});

describe('/v1/units/{name}', () => {
  it('starts, stops, restarts, reads logs of and deletes any unit by name', async () => {
    const t = await startTestDaemon();
    await t.client.upsertService('db', { cmd: 'sleep', args: ['100'] });
    expect(await t.client.startUnit('db')).toMatchObject({ name: 'db', kind: 'service', enabled: true });
    expect(await t.client.stopUnit('db')).toMatchObject({ phase: 'stopped', enabled: false });
    expect((await t.client.restartUnit('db')).restart_count).toBe(1);
    t.logs.emit('db', 'stderr', 'ready to accept connections');
    expect(await t.client.unitLogs('db', { stream: 'stderr' })).toEqual({ logs: 'ready to accept connections\n' });
    expect(await t.client.deleteUnit('db')).toEqual({ name: 'db', deleted: true });
    await expect(t.client.getUnit('db')).rejects.toMatchObject({ status: 404, field: 'name' });
  });
});

describe('errors fastify raises itself have the same shape', () => {
  it.each([
    ['an unknown route', 'GET', '/v1/nothing', undefined, {}, 404, 'not-found'],
    ['a method the route lacks', 'PATCH', '/v1/services/x', '{}', undefined, 404, 'not-found'],
    ['invalid JSON', 'PUT', '/v1/services/x', '{"cmd": ', undefined, 400, 'invalid-json'],
    ['an unsupported content type', 'PUT', '/v1/services/x', 'cmd=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported-media-type'],
  ])('%s', async (_label, method, path, body, headers, status, code) => {
    const t = await startTestDaemon();
    const answer = await rawRequest(t.daemon.socketPath, method, path, body, headers);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String), field: null } });
  });
});

describe('POST /v1/shutdown', () => {
  it('stops every unit when asked, answers, then closes the daemon and removes its socket', async () => {
    const t = await startTestDaemon();
    await t.client.startServer({ slug: 'a', start: 'sleep 100' });
    await t.client.startServer({ slug: 'b', start: 'sleep 100' });
    const answer = await t.client.shutdown({ stop_units: true });
    expect(answer).toEqual({ stopping: true, stopped_units: ['a', 'b'] });
    expect(t.engine.calls).toContain('stopAll clear=false');
    await t.daemon.closed;
    await expect(stat(t.daemon.socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(t.client.health()).rejects.toMatchObject({ status: 0, code: 'daemon-unreachable' });
  });

  it('leaves units running without stop_units', async () => {
    const t = await startTestDaemon();
    await t.client.startServer({ slug: 'a', start: 'sleep 100' });
    expect(await t.client.shutdown({ stop_units: false })).toEqual({ stopping: true, stopped_units: [] });
    await t.daemon.closed;
    expect(t.engine.calls).not.toContain('stopAll clear=false');
  });
});

describe('durable state', () => {
  it('saves changes to state.json (0600) and hands them to the next daemon’s adopt', async () => {
    const first = await startTestDaemon();
    await first.client.startServer({ slug: 'web', start: 'sleep 100', port: 4200, environment: { API_TOKEN: 'canary-77' } });
    const ready = await waitFor(async () => {
      const s = await first.client.getServer('web');
      return s.status === 'ready' ? s : null;
    });
    await first.stop();
    const file = join(first.stateDir, 'state.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(first.stateDir)).mode & 0o777).toBe(0o700);
    const saved = parseSavedState(await readFile(file, 'utf8'));
    expect(saved.ok && saved.value.observed.units['web']).toMatchObject({ pid: ready.pid, phase: 'ready', port: 4200 });
    expect(saved.ok && saved.value.desired.units['web']?.owner).toBe('api');

    const engine = new FakeEngine();
    const second = await startTestDaemon({ dir: first.dir, engine });
    expect(engine.adopted).toEqual(['web']);
    expect(await second.client.getServer('web')).toMatchObject({ pid: ready.pid, status: 'ready', url: 'http://127.0.0.1:4200' });
  });

  it('keeps a corrupt state file aside and starts empty', async () => {
    const dir = await tempProject();
    const first = await startTestDaemon({ dir });
    await first.stop();
    await writeFile(join(first.stateDir, 'state.json'), '{"version":1,"units":');
    const second = await startTestDaemon({ dir });
    expect(second.engine.adopted).toEqual([]);
    const aside = (await readdir(second.stateDir)).filter((n) => n.startsWith('state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(second.stateDir, aside[0] as string), 'utf8')).toBe('{"version":1,"units":');
  });

  it('keeps state the engine cannot adopt aside and still starts', async () => {
    const first = await startTestDaemon();
    await first.client.startServer({ slug: 'web', start: 'sleep 100' });
    await first.stop();
    class RefusingEngine extends FakeEngine {
      override async adopt(): Promise<{ adopted: string[] }> {
        throw new Error('saved state from an incompatible engine');
      }
    }
    const second = await startTestDaemon({ dir: first.dir, engine: new RefusingEngine() });
    expect((await second.client.health()).ok).toBe(true);
    expect((await readdir(second.stateDir)).filter((n) => n.startsWith('state.json.unadoptable-'))).toHaveLength(1);
  });
});
