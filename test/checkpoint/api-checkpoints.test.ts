// The checkpoint routes over a real socket with the fake engine: shapes, the file on disk, errors in the API's
// `{ error: { code, message, field } }` shape (400 bad name, 404 unknown, 409 taken, 501 without engine support),
// and checkpoints surviving a daemon restart.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unitSpec } from '../../src/engine/testing/spec-builder.js';
import { cleanupTestDaemons, rawRequest, startTestDaemon, type TestDaemon } from '../daemon/helpers/test-daemon.js';

afterEach(cleanupTestDaemons);

/** A daemon whose fake engine has db and api ready and cache stopped. */
const withUnits = async (dir?: string): Promise<TestDaemon> => {
  const t = await startTestDaemon(dir ? { dir } : {});
  for (const name of ['db', 'api', 'cache']) t.engine.upsert(unitSpec(name), { enabled: false });
  await t.engine.start('db');
  await t.engine.start('api');
  await t.engine.start('cache');
  await t.engine.stop('cache');
  await new Promise((resolve) => setImmediate(resolve));
  return t;
};

const call = async (t: TestDaemon, method: string, path: string, body?: unknown) =>
  rawRequest(t.daemon.socketPath, method, path, body === undefined ? undefined : JSON.stringify(body));

describe('checkpoint routes', () => {
  it('POST /v1/checkpoints records units with running and fingerprint (201), stored 0600 in .sbx/checkpoints', async () => {
    const t = await withUnits();
    const { status, body } = await call(t, 'POST', '/v1/checkpoints', { name: 'c1' });
    expect(status).toBe(201);
    expect(body).toEqual({
      name: 'c1',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      project: 'test',
      units: [
        { name: 'api', running: true, fingerprint: unitSpec('api').fingerprint, phase: 'ready' },
        { name: 'cache', running: false, fingerprint: unitSpec('cache').fingerprint, phase: 'stopped' },
        { name: 'db', running: true, fingerprint: unitSpec('db').fingerprint, phase: 'ready' },
      ],
    });
    expect(body).not.toHaveProperty('desired');
    expect((await stat(join(t.stateDir, 'checkpoints', 'c1.json'))).mode & 0o777).toBe(0o600);
    expect((await call(t, 'GET', '/v1/checkpoints/c1')).body).toEqual(body);
  });

  it('a taken name is 409 unless overwrite: true; list is oldest first; delete removes', async () => {
    const t = await withUnits();
    expect((await t.client.createCheckpoint({ name: 'c1' })).name).toBe('c1');
    const taken = await call(t, 'POST', '/v1/checkpoints', { name: 'c1' });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'conflict', field: 'name', message: expect.stringContaining('overwrite') } } });
    await t.engine.stop('api');
    const replaced = await t.client.createCheckpoint({ name: 'c1', overwrite: true });
    expect(replaced.units.find((u) => u.name === 'api')?.running).toBe(false);
    await t.client.createCheckpoint({ name: 'c2' });
    expect((await t.client.listCheckpoints()).map((c) => c.name)).toEqual(['c1', 'c2']);
    expect(await t.client.deleteCheckpoint('c1')).toEqual({ name: 'c1', deleted: true });
    expect((await t.client.listCheckpoints()).map((c) => c.name)).toEqual(['c2']);
  });

  it.each([
    ['POST', '/v1/checkpoints', { name: 'Bad Name' }, 400, 'name'],
    ['POST', '/v1/checkpoints', { name: '../etc' }, 400, 'name'],
    ['POST', '/v1/checkpoints', { name: 'a'.repeat(64) }, 400, 'name'],
    ['POST', '/v1/checkpoints', {}, 400, 'name'],
    ['POST', '/v1/checkpoints', { name: 'c1', extra: true }, 400, 'extra'],
    ['POST', '/v1/checkpoints/.hidden/restore', undefined, 400, 'name'],
    ['GET', '/v1/checkpoints/nope', undefined, 404, 'name'],
    ['DELETE', '/v1/checkpoints/nope', undefined, 404, 'name'],
    ['POST', '/v1/checkpoints/nope/restore', undefined, 404, 'name'],
    ['POST', '/v1/checkpoints/nope/restore', { timeout_ms: -1 }, 400, 'timeout_ms'],
    ['POST', '/v1/checkpoints/nope/restore', { wait: 1 }, 400, 'wait'],
  ])('%s %s %j → %i naming %s', async (method, path, body, status, field) => {
    const t = await withUnits();
    const answer = await call(t, method, path, body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code: expect.any(String), message: expect.any(String), field } });
  });

  it('restore answers 501 when the engine cannot restore (the fake engine)', async () => {
    const t = await withUnits();
    await t.client.createCheckpoint({ name: 'c1' });
    expect(await call(t, 'POST', '/v1/checkpoints/c1/restore')).toMatchObject({ status: 501, body: { error: { code: 'not-supported' } } });
  });

  it('checkpoints persist across a daemon restart', async () => {
    const t = await withUnits();
    const created = await t.client.createCheckpoint({ name: 'keep' });
    await t.stop();
    const next = await startTestDaemon({ dir: t.dir });
    expect(await next.client.listCheckpoints()).toEqual([created]);
  });
});
