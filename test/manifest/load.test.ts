// loadManifest and resolveUnitFromApi on real files in a temp dir: the loader's only I/O.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifest, passwdLookup, resolveUnitFromApi } from '../../src/manifest/load.js';

const temp = mkdtempSync(join(tmpdir(), 'sbx-load-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const project = (name: string, manifest: string, files: Record<string, string> = {}): string => {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sandbox.yaml'), manifest);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

const options = { env: { HOME: '/home/sbx' }, userExists: () => true };

const fingerprintOf = async (dir: string, unit: string): Promise<string> => {
  const result = await loadManifest(join(dir, 'sandbox.yaml'), options);
  if (!result.ok) throw new Error(result.error.map((d) => d.message).join('\n'));
  return result.value.units[unit]!.fingerprint;
};

const MANIFEST = 'version: 1\nservers:\n  api:\n    start: node api.js\n    path: ./app\n    env_file: [.env, { path: .env.local, required: false }]\n    max_restarts: 3\n';

describe('loadManifest', () => {
  it('resolves a manifest with its env files and lists every input', async () => {
    const dir = project('inputs', MANIFEST, { 'app/.env': 'A=1\n' });
    const result = await loadManifest(join(dir, 'sandbox.yaml'), options);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ project: 'inputs', dir, manifest_path: join(dir, 'sandbox.yaml') });
    expect(result.value.inputs).toEqual([join(dir, 'sandbox.yaml'), join(dir, 'app/.env'), join(dir, 'app/.env.local')]);
    expect(result.value.units.api?.env.A).toEqual({ value: '1', source: { kind: 'env-file', file: join(dir, 'app/.env'), line: 1 }, secret: false });
  });

  it('changes the fingerprint when an env file content changes', async () => {
    const dir = project('env-change', MANIFEST, { 'app/.env': 'A=1\n' });
    const before = await fingerprintOf(dir, 'api');
    writeFileSync(join(dir, 'app/.env'), 'A=2\n');
    expect(await fingerprintOf(dir, 'api')).not.toBe(before);
  });

  it('changes the fingerprint when an optional env file appears', async () => {
    const dir = project('env-appears', MANIFEST, { 'app/.env': 'A=1\n' });
    const before = await fingerprintOf(dir, 'api');
    writeFileSync(join(dir, 'app/.env.local'), 'B=1\n');
    expect(await fingerprintOf(dir, 'api')).not.toBe(before);
  });

  it('keeps the fingerprint when only max_restarts changes', async () => {
    const dir = project('max-restarts', MANIFEST, { 'app/.env': 'A=1\n' });
    const before = await fingerprintOf(dir, 'api');
    writeFileSync(join(dir, 'sandbox.yaml'), MANIFEST.replace('max_restarts: 3', 'max_restarts: 10'));
    expect(await fingerprintOf(dir, 'api')).toBe(before);
  });

  it('reports a manifest it cannot read as manifest-unreadable', async () => {
    const result = await loadManifest(join(temp, 'nope', 'sandbox.yaml'), options);
    expect(!result.ok && result.error).toEqual([expect.objectContaining({ code: 'manifest-unreadable', message: expect.stringContaining('no such file') })]);
    const asDir = await loadManifest(temp, options);
    expect(!asDir.ok && asDir.error[0]?.message).toContain('it is a directory');
  });
});

describe('passwdLookup', () => {
  it('knows the users listed in a passwd file', () => {
    const file = join(temp, 'passwd');
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    const exists = passwdLookup(file);
    expect([exists('root'), exists('nobody'), exists('ghost')]).toEqual([true, true, false]);
  });

  it('assumes a user exists when there is no passwd file to ask', () => {
    expect(passwdLookup(join(temp, 'no-passwd'))('anyone')).toBe(true);
  });
});

describe('resolveUnitFromApi', () => {
  it('reads a server env file relative to its path', () => {
    const dir = project('api', 'version: 1\n', { 'app/.env.production': 'NODE_ENV=production\n' });
    const result = resolveUnitFromApi({ kind: 'server', name: 'web', body: { start: 'npm start', path: './app', env_file: '.env.production' }, baseDir: dir, env: {}, userExists: () => true });
    expect(result.ok && result.value.unit.env.NODE_ENV).toMatchObject({ value: 'production', source: { file: join(dir, 'app/.env.production'), line: 1 } });
  });
});
