// Re-sync copies only what changed, prunes only what the overlay wrote, and the digest follows the content.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsOverlayCopier } from '../../src/runtime/fs-overlay-copier.js';
import { makeWorkspace, removeWorkspace, specFor, type Workspace } from './overlay-fixture.js';

let ws: Workspace;
let copier: FsOverlayCopier;
const s = (rel: string) => path.join(ws.src, rel);
const t = (rel: string) => path.join(ws.target, rel);
const put = (file: string, body: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
};

beforeEach(() => {
  ws = makeWorkspace();
  put(s('a.txt'), 'a\n');
  put(s('lib/b.txt'), 'b\n');
  put(s('lib/c.txt'), 'c\n');
  put(s('gone/d.txt'), 'd\n');
  put(s('node_modules/pkg/index.js'), 'x\n');
  fs.symlinkSync('lib/b.txt', s('link'));
  copier = new FsOverlayCopier();
});
afterEach(() => removeWorkspace(ws));

describe('overlay re-sync', () => {
  it('an unchanged source copies nothing and keeps its digest', async () => {
    const first = await copier.sync(specFor(ws));
    // files: a.txt, lib/b.txt, lib/c.txt, gone/d.txt, node_modules/pkg/index.js, link; dirs: lib, gone, node_modules, node_modules/pkg
    expect(first.stats).toEqual({ copied_files: 6, copied_dirs: 4, symlinked: 0, skipped: 0 });
    const second = await copier.sync(specFor(ws));
    expect(second.status).toBe('complete');
    expect(second.stats).toEqual({ copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 });
    expect(second.digest).toBe(first.digest);
    // a fresh copier (daemon restart) still copies nothing: the manifest in the target says what is there
    const third = await new FsOverlayCopier().sync(specFor(ws));
    expect(third.stats.copied_files).toBe(0);
    expect(third.digest).toBe(first.digest);
  });

  it('changing one file copies only that file and changes the digest', async () => {
    const first = await copier.sync(specFor(ws));
    put(s('lib/b.txt'), 'B, longer now\n');
    const digest = await copier.digest(specFor(ws));
    expect(digest).not.toBe(first.digest);
    const second = await copier.sync(specFor(ws));
    expect(second.stats).toEqual({ copied_files: 1, copied_dirs: 0, symlinked: 0, skipped: 0 });
    expect(second.digest).toBe(digest);
    expect(fs.readFileSync(t('lib/b.txt'), 'utf8')).toBe('B, longer now\n');
  });

  it('a same-size edit and a chmod are both seen', async () => {
    const first = await copier.sync(specFor(ws));
    put(s('a.txt'), 'z\n');
    const second = await copier.sync(specFor(ws));
    expect(second.stats.copied_files).toBe(1);
    expect(fs.readFileSync(t('a.txt'), 'utf8')).toBe('z\n');
    fs.chmodSync(s('a.txt'), 0o600);
    const third = await copier.sync(specFor(ws));
    expect(third.stats.copied_files).toBe(1);
    expect(fs.statSync(t('a.txt')).mode & 0o777).toBe(0o600);
    expect(new Set([first.digest, second.digest, third.digest]).size).toBe(3);
  });

  it('a target file edited by a unit is restored from the source; other user files stay', async () => {
    await copier.sync(specFor(ws));
    fs.writeFileSync(t('a.txt'), 'edited by a unit');
    put(t('lib/user-made.txt'), 'mine');
    put(t('build/out.js'), 'mine');
    const again = await copier.sync(specFor(ws));
    expect(again.stats.copied_files).toBe(1);
    expect(fs.readFileSync(t('a.txt'), 'utf8')).toBe('a\n');
    expect(fs.readFileSync(t('lib/user-made.txt'), 'utf8')).toBe('mine');
    expect(fs.readFileSync(t('build/out.js'), 'utf8')).toBe('mine');
  });

  it('removes what vanished from the source, but only what the overlay wrote', async () => {
    await copier.sync(specFor(ws));
    put(t('gone/user.txt'), 'mine');
    fs.rmSync(s('gone'), { recursive: true });
    fs.rmSync(s('lib/c.txt'));
    fs.rmSync(s('link'));
    const again = await copier.sync(specFor(ws));
    expect(again.status).toBe('complete');
    expect(fs.existsSync(t('lib/c.txt'))).toBe(false);
    expect(fs.existsSync(t('gone/d.txt'))).toBe(false);
    expect(() => fs.lstatSync(t('link'))).toThrow();
    // the directory stays because a user file is in it
    expect(fs.readFileSync(t('gone/user.txt'), 'utf8')).toBe('mine');
  });

  it('a file the overlay wrote but a unit replaced is not deleted when it vanishes from the source', async () => {
    await copier.sync(specFor(ws));
    fs.rmSync(t('lib/c.txt'));
    fs.writeFileSync(t('lib/c.txt'), 'rewritten by a unit');
    fs.rmSync(s('lib/c.txt'));
    await copier.sync(specFor(ws));
    expect(fs.readFileSync(t('lib/c.txt'), 'utf8')).toBe('rewritten by a unit');
  });

  it('switching copy -> smart -> copy replaces the directory by a link and back', async () => {
    await copier.sync(specFor(ws));
    expect(fs.lstatSync(t('node_modules')).isDirectory()).toBe(true);
    const smart = await copier.sync(specFor(ws, { strategy: 'smart' }));
    expect(smart.status).toBe('complete');
    expect(smart.stats.symlinked).toBe(1);
    expect(fs.readlinkSync(t('node_modules'))).toBe(s('node_modules'));
    const unchanged = await copier.sync(specFor(ws, { strategy: 'smart' }));
    expect(unchanged.stats).toEqual({ copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 });
    const copy = await copier.sync(specFor(ws));
    expect(copy.status).toBe('complete');
    expect(fs.lstatSync(t('node_modules')).isDirectory()).toBe(true);
    expect(fs.readFileSync(t('node_modules/pkg/index.js'), 'utf8')).toBe('x\n');
    expect(fs.readFileSync(s('node_modules/pkg/index.js'), 'utf8')).toBe('x\n');
  });

  it('smart digest follows the shared directory listing (an install changes it)', async () => {
    const spec = specFor(ws, { strategy: 'smart' });
    const first = await copier.digest(spec);
    expect(await copier.digest(spec)).toBe(first);
    put(s('node_modules/.package-lock.json'), '{"v":2}');
    expect(await copier.digest(spec)).not.toBe(first);
  });

  it('an ignored path is neither copied nor digested, and a newly ignored one is pruned', async () => {
    const base = await copier.sync(specFor(ws));
    const ignoring = specFor(ws, { ignore: ['lib'] });
    const pruned = await copier.sync(ignoring);
    expect(pruned.stats.skipped).toBe(1);
    expect(fs.existsSync(t('lib'))).toBe(false);
    expect(pruned.digest).not.toBe(base.digest);
    put(s('lib/b.txt'), 'changed while ignored');
    expect(await copier.digest(ignoring)).toBe(pruned.digest);
  });

  it('onProgress runs at the start, periodically and at the end', async () => {
    const seen: number[] = [];
    await new FsOverlayCopier({ progressEvery: 2 }).sync(specFor(ws), (st) => seen.push(st.copied_files));
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(6);
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('concurrent syncs of one target run one at a time and agree', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => copier.sync(specFor(ws))));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('complete'));
    expect(results.reduce((n, r) => n + r.stats.copied_files, 0)).toBe(6);
    expect(new Set(results.map((r) => r.digest)).size).toBe(1);
  });

  it('big files (the streaming path) copy, digest and re-sync like small ones', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024 + 7, 'q');
    fs.writeFileSync(s('big.bin'), big);
    const first = await copier.sync(specFor(ws));
    expect(fs.readFileSync(t('big.bin')).equals(big)).toBe(true);
    expect(await new FsOverlayCopier().digest(specFor(ws))).toBe(first.digest);
    const again = await new FsOverlayCopier().sync(specFor(ws));
    expect(again.stats.copied_files).toBe(0);
    expect(again.digest).toBe(first.digest);
  });

  it('keeps the event loop turning while it copies many small files', async () => {
    for (let i = 0; i < 1500; i++) fs.writeFileSync(s(`lib/many-${i}.txt`), `${i}\n`);
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 1);
    const started = performance.now();
    const result = await copier.sync(specFor(ws));
    const took = performance.now() - started;
    clearInterval(timer);
    expect(result.stats.copied_files).toBe(1506);
    const gaps = [started, ...ticks].slice(1).map((t, i) => t - ([started, ...ticks][i] as number));
    // sync calls run in slices: no single stall anywhere near the whole copy
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...gaps)).toBeLessThan(took / 2);
  });

  it('a failed sync still owns what it wrote, so a later sync prunes it', async () => {
    put(s('zz/e.txt'), 'e\n');
    expect((await copier.sync(specFor(ws))).status).toBe('complete');
    put(s('lib/new.txt'), 'new\n');
    // zz (walked after lib) becomes a foreign symlink: the sync fails after writing lib/new.txt
    fs.renameSync(t('zz'), t('zz.moved'));
    fs.symlinkSync(ws.outside, t('zz'));
    const failed = await copier.sync(specFor(ws));
    expect(failed.status).toBe('failed');
    expect(failed.digest).toBe('');
    expect(fs.readFileSync(t('lib/new.txt'), 'utf8')).toBe('new\n');
    fs.unlinkSync(t('zz'));
    fs.rmSync(s('lib/new.txt'));
    const healed = await copier.sync(specFor(ws));
    expect(healed.status).toBe('complete');
    expect(fs.existsSync(t('lib/new.txt'))).toBe(false);
  });
});
