// The checkpoint store on real files: 0600 files in a 0700 folder, no overwrite unless asked (also under concurrent
// creates), unusable files reported (never misread), stale temp files of a killed writer removed.

import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unitSpec } from '../../src/engine/testing/spec-builder.js';
import { CheckpointFileError, CheckpointStore } from '../../src/state/checkpoint-store.js';
import { takeCheckpoint, type Checkpoint } from '../../src/state/checkpoint.js';

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

const tempStore = async (): Promise<CheckpointStore> => {
  const dir = await mkdtemp(join(tmpdir(), 'sbx-checkpoints-'));
  folders.push(dir);
  return new CheckpointStore(join(dir, '.sbx', 'checkpoints'));
};

const checkpoint = (name: string, at: number, units: string[] = ['a']): Checkpoint =>
  takeCheckpoint(
    name,
    { desired: { project: 'p', units: Object.fromEntries(units.map((u) => [u, { spec: unitSpec(u), enabled: true, owner: 'manifest' as const }])), overlays: {} }, observed: { units: {}, overlays: {} } },
    at,
  );

describe('CheckpointStore', () => {
  it('writes NAME.json with mode 0600 in a 0700 folder and reads it back', async () => {
    const store = await tempStore();
    const c1 = checkpoint('c1', 1000);
    expect(await store.save(c1, { overwrite: false })).toBe(true);
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(store.dir, 'c1.json'))).mode & 0o777).toBe(0o600);
    expect(await store.read('c1')).toEqual(c1);
    expect(await store.read('missing')).toBeNull();
  });

  it('refuses to replace a checkpoint unless overwrite; concurrent creates of one name: exactly one wins', async () => {
    const store = await tempStore();
    expect(await store.save(checkpoint('c1', 1000, ['a']), { overwrite: false })).toBe(true);
    expect(await store.save(checkpoint('c1', 2000, ['b']), { overwrite: false })).toBe(false);
    expect((await store.read('c1'))?.units.map((u) => u.name)).toEqual(['a']);
    expect(await store.save(checkpoint('c1', 3000, ['b']), { overwrite: true })).toBe(true);
    expect((await store.read('c1'))?.units.map((u) => u.name)).toEqual(['b']);

    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.save(checkpoint('race', i, [`u${i}`]), { overwrite: false })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.read('race'))?.units.map((u) => u.name)).toEqual([`u${results.indexOf(true)}`]);
  });

  it('lists oldest first and reports unusable files apart; reading one throws a CheckpointFileError', async () => {
    const store = await tempStore();
    await store.save(checkpoint('late', 3000), { overwrite: false });
    await store.save(checkpoint('early', 1000), { overwrite: false });
    await writeFile(join(store.dir, 'broken.json'), '{"version": 1, "name": "broken"', { mode: 0o600 });
    await writeFile(join(store.dir, 'notes.txt'), 'not a checkpoint');
    const listing = await store.list();
    expect(listing.checkpoints.map((c) => c.name)).toEqual(['early', 'late']);
    expect(listing.unreadable).toEqual([{ name: 'broken', error: expect.stringMatching(/not JSON/) }]);
    await expect(store.read('broken')).rejects.toBeInstanceOf(CheckpointFileError);
  });

  it('a file whose recorded name differs from its file name is refused', async () => {
    const store = await tempStore();
    await store.save(checkpoint('c1', 1000), { overwrite: false });
    const text = JSON.stringify(checkpoint('c2', 1000));
    await writeFile(join(store.dir, 'c1.json'), text);
    await expect(store.read('c1')).rejects.toThrow(/named for "c1"/);
  });

  it('removes a checkpoint (false when there is none); the list of an absent folder is empty', async () => {
    const store = await tempStore();
    expect(await store.list()).toEqual({ checkpoints: [], unreadable: [] });
    expect(await store.remove('c1')).toBe(false);
    await store.save(checkpoint('c1', 1000), { overwrite: false });
    expect(await store.remove('c1')).toBe(true);
    expect(await store.read('c1')).toBeNull();
  });

  it('drops temp files a killed writer left, on its first write', async () => {
    const store = await tempStore();
    await store.save(checkpoint('c1', 1000), { overwrite: false });
    await writeFile(join(store.dir, 'c1.json.tmp-999999999-0'), 'partial');
    await writeFile(join(store.dir, 'c9.json.tmp-999999999-3'), 'partial');
    const fresh = new CheckpointStore(store.dir);
    await fresh.save(checkpoint('c2', 2000), { overwrite: false });
    expect((await readdir(store.dir)).sort()).toEqual(['c1.json', 'c2.json']);
  });

  it('refuses names that are not checkpoint names before touching the disk', async () => {
    const store = await tempStore();
    expect(() => store.pathOf('../escape')).toThrow(/invalid checkpoint name/);
    await expect(store.read('a/b')).rejects.toThrow(/invalid checkpoint name/);
  });
});
