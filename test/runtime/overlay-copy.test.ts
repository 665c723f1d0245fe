// Overlay `copy` and `smart` of an adversarial tree: the right result in the target, nothing written outside it.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsOverlayCopier } from '../../src/runtime/fs-overlay-copier.js';
import type { OverlayStats } from '../../src/runtime/overlay-copier.js';
import { REFUSED, fileHash, fillSource, makeWorkspace, removeWorkspace, snapshotOutsideTarget, specFor, type Workspace } from './overlay-fixture.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
  fillSource(ws);
});
afterEach(() => removeWorkspace(ws));

const t = (rel: string) => path.join(ws.target, rel);
const mode = (rel: string) => fs.lstatSync(t(rel)).mode & 0o7777;
const exists = (rel: string) => fs.existsSync(t(rel)) || isLink(rel);
const isLink = (rel: string) => {
  try {
    return fs.lstatSync(t(rel)).isSymbolicLink();
  } catch {
    return false;
  }
};

describe.each(['copy', 'smart'] as const)('overlay %s of a hostile tree', (strategy) => {
  it('lays down the tree, refuses what is unsafe, writes nothing outside the target', async () => {
    const before = snapshotOutsideTarget(ws);
    const passwd = fileHash('/etc/passwd');
    const progress: OverlayStats[] = [];
    const result = await new FsOverlayCopier({ progressEvery: 5 }).sync(specFor(ws, { strategy }), (s) => progress.push(s));

    expect(result.error).toBeNull();
    expect(result.status).toBe('complete');
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/);

    // plain files: content and modes, privilege bits stripped
    expect(fs.readFileSync(t('README.md'), 'utf8')).toBe('# template\n');
    expect(fs.readFileSync(t('lib/deep/b.txt'), 'utf8')).toBe('beta\n');
    expect(mode('bin/run.sh')).toBe(0o755);
    expect(mode('suid')).toBe(0o755);
    expect(mode('sgid')).toBe(0o750);
    expect(mode('sticky')).toBe(0o777);
    expect(fs.lstatSync(t('sticky')).isDirectory()).toBe(true);
    // the hardlink to a root-only file: its own inode in the target, still owner-only
    expect(fs.statSync(t('hardlink-secret')).ino).not.toBe(fs.statSync(ws.secret).ino);
    expect(mode('hardlink-secret')).toBe(0o600);

    // ignore globs (basename match anywhere, anchored with a slash); .git is not special
    expect(exists('debug.log')).toBe(false);
    expect(exists('logs/app.log')).toBe(false);
    expect(fs.existsSync(t('logs'))).toBe(true);
    expect(exists('dist')).toBe(false);
    expect(fs.readFileSync(t('.git/HEAD'), 'utf8')).toContain('refs/heads/main');

    // in-tree links recreated as links (with the same text), never as copies of what they point to
    expect(fs.readlinkSync(t('link-in'))).toBe('lib/a.txt');
    expect(fs.readlinkSync(t('lib/up'))).toBe('../README.md');
    expect(fs.readlinkSync(t('lib/x'))).toBe('..');

    // refused: links out (absolute, climbing, chained), the FIFO, the device
    for (const rel of REFUSED) expect(exists(rel), rel).toBe(false);
    expect(result.refused?.map((r) => r.path).sort()).toEqual(REFUSED);
    expect(result.refused?.find((r) => r.path === 'fifo')?.reason).toMatch(/FIFO/);
    expect(result.refused?.find((r) => r.path === 'lib/sock')?.reason).toMatch(/socket/);
    expect(result.refused?.find((r) => r.path === 'devnull')?.reason).toMatch(/device/);
    expect(result.refused?.find((r) => r.path === 'link-abs-etc')?.reason).toMatch(/absolute/);
    expect(result.refused?.find((r) => r.path === 'lib/y')?.reason).toMatch(/outside/);
    // skipped = 3 ignored (debug.log, logs/app.log, dist) + the refused
    expect(result.stats.skipped).toBe(3 + REFUSED.length);

    const shared = ['node_modules', 'packages/app/node_modules', '.venv'];
    if (strategy === 'smart') {
      for (const rel of shared) expect(fs.readlinkSync(t(rel))).toBe(path.join(ws.src, rel));
      expect(result.stats.symlinked).toBe(3);
      expect(fs.readFileSync(t('node_modules/pkg/nested/deep.js'), 'utf8')).toBe('module.exports = 2;\n');
    } else {
      for (const rel of shared) expect(fs.lstatSync(t(rel)).isDirectory(), rel).toBe(true);
      expect(fs.lstatSync(t('node_modules/pkg/nested/deep.js')).isFile()).toBe(true);
      expect(result.stats.symlinked).toBe(0);
      // isolation: edits in the target never reach the source
      fs.writeFileSync(t('node_modules/pkg/index.js'), 'changed');
      expect(fs.readFileSync(path.join(ws.src, 'node_modules/pkg/index.js'), 'utf8')).toBe('module.exports = 1;\n');
    }
    fs.writeFileSync(t('lib/a.txt'), 'edited in target');
    expect(fs.readFileSync(path.join(ws.src, 'lib/a.txt'), 'utf8')).toBe('alpha\n');

    // progress: reported from zero, periodically, ending at the final counts
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[0]).toEqual({ copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 });
    expect(progress.at(-1)).toEqual(result.stats);

    // nothing outside the target changed (source, sibling dir, the secret), nor /etc/passwd
    expect(snapshotOutsideTarget(ws)).toEqual(before);
    expect(fileHash('/etc/passwd')).toBe(passwd);
  });

  it('digest() equals the digest of the sync, and differs between strategies', async () => {
    const copier = new FsOverlayCopier();
    const result = await copier.sync(specFor(ws, { strategy }));
    expect(await copier.digest(specFor(ws, { strategy }))).toBe(result.digest);
    expect(await new FsOverlayCopier().digest(specFor(ws, { strategy }))).toBe(result.digest);
    const other = strategy === 'copy' ? 'smart' : 'copy';
    expect(await copier.digest(specFor(ws, { strategy: other }))).not.toBe(result.digest);
  });
});

describe('overlay placement', () => {
  it.each([
    ['the target is the source', (w: Workspace) => ({ target: w.src }), /source itself/],
    ['the target is inside the source', (w: Workspace) => ({ target: path.join(w.src, 'out') }), /inside the source/],
    ['the source is inside the target', (w: Workspace) => ({ target: w.root }), /inside the target/],
    ['the target is /', () => ({ target: '/' }), /root/],
    ['the source is missing', (w: Workspace) => ({ source: path.join(w.root, 'nope') }), /cannot be read/],
    ['the source is relative', () => ({ source: 'rel/src' }), /absolute/],
  ])('fails when %s, writing nothing', async (_label, over, message) => {
    const before = snapshotOutsideTarget(ws);
    const result = await new FsOverlayCopier().sync(specFor(ws, over(ws)));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(message);
    expect(result.error).toMatch(/^overlay tpl: /);
    expect(snapshotOutsideTarget(ws)).toEqual(before);
    expect(fs.existsSync(path.join(ws.src, 'out'))).toBe(false);
  });

  it('refuses a target that is a symlink', async () => {
    fs.mkdirSync(path.dirname(ws.target), { recursive: true });
    fs.symlinkSync(ws.outside, ws.target);
    const before = snapshotOutsideTarget(ws);
    const result = await new FsOverlayCopier().sync(specFor(ws));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/symlink/);
    expect(snapshotOutsideTarget(ws)).toEqual(before);
  });

  it('digest of a missing source is a stable "unavailable" value, not a throw', async () => {
    const spec = specFor(ws, { source: path.join(ws.root, 'nope') });
    expect(await new FsOverlayCopier().digest(spec)).toBe('unavailable:ENOENT');
  });
});
