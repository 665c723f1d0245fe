// POST /v1/apply and /v1/plan over a real socket with the real manifest loader: the NDJSON sequence, 422 with
// located diagnostics, dry runs, timeouts, failures, and 10 concurrent applies ending in exactly one manifest.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/daemon/api-client.js';
import type { ApplyMessage } from '../../src/daemon/api-types.js';
import { cleanupTestDaemons, rawRequest, startTestDaemon, tempProject } from './helpers/test-daemon.js';

afterEach(cleanupTestDaemons);
afterAll(cleanupTestDaemons);

/** Writes a manifest with the given services (each `sleep 1000`, optional needs). */
const manifest = async (dir: string, services: Record<string, string[]>, file = 'sandbox.yaml'): Promise<string> => {
  const lines = ['version: 1', 'name: demo', 'services:'];
  for (const [name, needs] of Object.entries(services)) {
    lines.push(`  ${name}:`, '    cmd: sleep', '    args: ["1000"]', `    needs: [${needs.join(', ')}]`);
  }
  const path = join(dir, file);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
};

const collect = async (stream: AsyncIterable<ApplyMessage>): Promise<ApplyMessage[]> => {
  const out: ApplyMessage[] = [];
  for await (const message of stream) out.push(message);
  return out;
};

describe('POST /v1/apply', () => {
  it('answers the plan first, then events, then one result with every unit ready', async () => {
    const t = await startTestDaemon();
    const path = await manifest(t.dir, { db: [], web: ['db'] });
    const messages = await collect(await t.client.apply({ path }));
    const first = messages[0];
    expect(first).toMatchObject({ type: 'plan', project: 'demo', manifest_path: path, in_sync: false });
    expect(first?.type === 'plan' && first.actions.map((a) => `${a.type} ${'unit' in a ? a.unit : ''}`)).toEqual(['start db', 'start web']);
    expect(messages.slice(1, -1).every((m) => m.type === 'event')).toBe(true);
    expect(messages.at(-1)).toEqual({ type: 'result', ready: ['db', 'web'], failed: [], stopped: [], pending: [], timed_out: false, superseded: false, dry_run: false });
  });

  it('says in_sync when nothing changes on the second apply', async () => {
    const t = await startTestDaemon();
    const path = await manifest(t.dir, { db: [] });
    await t.client.applyAndWait({ path });
    const messages = await collect(await t.client.apply({ path }));
    expect(messages[0]).toMatchObject({ type: 'plan', in_sync: true, actions: [] });
    expect(messages.at(-1)).toMatchObject({ type: 'result', ready: ['db'] });
  });

  it('resolves a relative path against the project folder, and defaults to the daemon manifest', async () => {
    const dir = await tempProject();
    const path = await manifest(dir, { a: [] });
    const t = await startTestDaemon({ dir, manifestPath: path });
    expect((await t.client.applyAndWait({ path: 'sandbox.yaml' })).ready).toEqual(['a']);
    expect((await t.client.applyAndWait({})).ready).toEqual(['a']);
  });

  it('answers 400 on path when neither the body nor the daemon names a manifest', async () => {
    const t = await startTestDaemon();
    await expect(t.client.apply({})).rejects.toMatchObject({ status: 400, field: 'path' });
  });

  it('rejects an invalid manifest with 422 and located diagnostics, changing nothing', async () => {
    const t = await startTestDaemon();
    const path = join(t.dir, 'sandbox.yaml');
    await writeFile(path, 'version: 1\nservices:\n  db:\n    cmd: sleep\n    helth_port: 5432\n');
    const error = await t.client.apply({ path }).then(
      () => null,
      (e: unknown) => e as ApiError,
    );
    expect(error).toMatchObject({ status: 422, code: 'invalid-manifest' });
    expect(error?.message).toMatch(/sandbox\.yaml:5:5/);
    expect(error?.details?.diagnostics?.[0]?.location).toMatchObject({ line: 5, col: 5 });
    expect(t.engine.calls).toEqual([]);
  });

  it('takes the manifest inline: relative paths anchor at the project folder, diagnostics name the file it stands for', async () => {
    const t = await startTestDaemon();
    await writeFile(join(t.dir, 'app.env'), 'GREETING=hi\n');
    const text = 'version: 1\nname: inline\nservices:\n  db:\n    cmd: sleep\n    args: ["1000"]\n    env_file: app.env\n';
    expect(await t.client.plan({ manifest: text })).toMatchObject({ project: 'inline', manifest_path: join(t.dir, 'sandbox.yaml'), in_sync: false });
    expect(t.engine.calls).toEqual([]);
    expect(await t.client.applyAndWait({ manifest: text, path: 'generated.yaml' })).toMatchObject({ ready: ['db'], failed: [] });
    const bad = await t.client.plan({ manifest: 'version: 1\nservices:\n  db:\n    cmd: sleep\n    helth_port: 5432\n', path: 'generated.yaml' }).then(
      () => null,
      (e: unknown) => e as ApiError,
    );
    expect(bad).toMatchObject({ status: 422, code: 'invalid-manifest' });
    expect(bad?.message).toMatch(/generated\.yaml:5:5/);
  });

  it('dry_run answers the plan and a dry-run result, applying nothing', async () => {
    const t = await startTestDaemon();
    const path = await manifest(t.dir, { db: [] });
    const messages = await collect(await t.client.apply({ path, dry_run: true }));
    expect(messages.map((m) => m.type)).toEqual(['plan', 'result']);
    expect(messages[1]).toMatchObject({ dry_run: true });
    expect(t.engine.calls).toEqual([]);
  });

  it('stops waiting at timeout_ms and reports what is still pending', async () => {
    const t = await startTestDaemon();
    t.engine.hold.add('web');
    const path = await manifest(t.dir, { db: [], web: [] });
    const result = await t.client.applyAndWait({ path, timeout_ms: 200 });
    expect(result).toMatchObject({ ready: ['db'], pending: ['web'], timed_out: true });
  });

  it('reports failed units', async () => {
    const t = await startTestDaemon();
    t.engine.failing.add('db');
    const path = await manifest(t.dir, { db: [], cache: [] });
    expect(await t.client.applyAndWait({ path })).toMatchObject({ ready: ['cache'], failed: ['db'], timed_out: false });
  });

  it.each([
    ['prune as a string', { prune: 'yes' }, 'prune'],
    ['a negative timeout', { timeout_ms: -5 }, 'timeout_ms'],
    ['an unknown field', { file: 'x.yaml' }, 'file'],
    ['a manifest that is not text', { manifest: { version: 1 } }, 'manifest'],
  ])('rejects %s with 400 naming the field', async (_label, body, field) => {
    const t = await startTestDaemon();
    const { status, body: answer } = await rawRequest(t.daemon.socketPath, 'POST', '/v1/apply', JSON.stringify(body));
    expect(status).toBe(400);
    expect(answer.error.field).toBe(field);
  });

  it('10 concurrent applies of different manifests end in exactly one of them, never a mix', async () => {
    const t = await startTestDaemon();
    const sets: string[][] = [];
    const paths: string[] = [];
    for (let i = 0; i < 10; i++) {
      const names = [`m${i}-a`, `m${i}-b`, `m${i}-c`];
      sets.push(names);
      await mkdir(join(t.dir, `p${i}`));
      paths.push(await manifest(join(t.dir, `p${i}`), Object.fromEntries(names.map((n) => [n, []]))));
    }
    const results = await Promise.all(paths.map((path) => t.client.applyAndWait({ path })));
    const manifestUnits = Object.entries(t.engine.desired.units)
      .filter(([, u]) => u.owner === 'manifest')
      .map(([n]) => n)
      .sort();
    expect(sets.filter((set) => JSON.stringify(set) === JSON.stringify(manifestUnits))).toHaveLength(1);
    expect(results.filter((r) => !r.superseded).length).toBeGreaterThanOrEqual(1);
  });
});

describe('POST /v1/plan', () => {
  it('answers the plan and changes nothing', async () => {
    const t = await startTestDaemon();
    const path = await manifest(t.dir, { db: [] });
    const plan = await t.client.plan({ path });
    expect(plan).toMatchObject({ project: 'demo', manifest_path: path, in_sync: false, actions: [{ type: 'start', unit: 'db' }] });
    expect(t.engine.calls).toEqual([]);
  });

  it('answers 422 for an invalid manifest', async () => {
    const t = await startTestDaemon();
    const path = join(t.dir, 'broken.yaml');
    await writeFile(path, 'version: 1\nservices: [\n');
    await expect(t.client.plan({ path })).rejects.toMatchObject({ status: 422, code: 'invalid-manifest' });
  });
});
