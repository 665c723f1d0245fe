// A hostile target: swapped directories, links and hardlinks planted in it, a forged manifest. Nothing outside changes.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsOverlayCopier } from '../../src/runtime/fs-overlay-copier.js';
import { fillSource, makeWorkspace, removeWorkspace, snapshotOutsideTarget, specFor, type Workspace } from './overlay-fixture.js';

let ws: Workspace;
let copier: FsOverlayCopier;
const t = (rel: string) => path.join(ws.target, rel);

beforeEach(async () => {
  ws = makeWorkspace();
  fillSource(ws);
  copier = new FsOverlayCopier();
  expect((await copier.sync(specFor(ws))).status).toBe('complete');
  // a change in every synced directory, so the next sync writes into each of them
  for (const rel of ['README.md', 'lib/a.txt', 'lib/deep/b.txt', 'node_modules/pkg/nested/deep.js']) {
    fs.appendFileSync(path.join(ws.src, rel), 'changed\n');
  }
});
afterEach(() => removeWorkspace(ws));

describe.each(['copy', 'smart'] as const)('overlay %s into a tampered target', (strategy) => {
  it.each(['lib', 'lib/deep', 'packages/app'])('refuses a target subdirectory %s swapped for a symlink out', async (rel) => {
    fs.renameSync(t(rel), `${t(rel)}.moved`);
    fs.symlinkSync(ws.outside, t(rel));
    const before = snapshotOutsideTarget(ws);
    const result = await copier.sync(specFor(ws, { strategy }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/symlink the overlay did not create/);
    expect(result.error).toContain(rel);
    expect(snapshotOutsideTarget(ws)).toEqual(before);
    // the link is left alone, not followed, not replaced
    expect(fs.readlinkSync(t(rel))).toBe(ws.outside);
  });

  it('replaces planted file links and hardlinks instead of writing through them', async () => {
    fs.rmSync(t('README.md'));
    fs.symlinkSync(path.join(ws.outside, 'victim.txt'), t('README.md'));
    fs.rmSync(t('lib/a.txt'));
    fs.linkSync(path.join(ws.outside, 'victim.txt'), t('lib/a.txt'));
    fs.rmSync(t('.sbx-overlay.json'));
    fs.symlinkSync(path.join(ws.outside, 'victim.txt'), t('.sbx-overlay.json'));
    const before = snapshotOutsideTarget(ws);
    const result = await copier.sync(specFor(ws, { strategy }));
    expect(result.status).toBe('complete');
    expect(fs.readFileSync(t('README.md'), 'utf8')).toBe('# template\nchanged\n');
    expect(fs.lstatSync(t('README.md')).isFile()).toBe(true);
    expect(fs.readFileSync(t('lib/a.txt'), 'utf8')).toBe('alpha\nchanged\n');
    expect(fs.lstatSync(t('.sbx-overlay.json')).isFile()).toBe(true);
    expect(snapshotOutsideTarget(ws)).toEqual(before);
  });

  it('a forged manifest cannot make it delete or follow anything outside', async () => {
    // claims `lib` was a link it made (so it may replace it), and lists paths that climb out
    fs.renameSync(t('lib'), t('lib.moved'));
    fs.symlinkSync(ws.outside, t('lib'));
    const forged = {
      version: 1,
      entries: {
        lib: { t: 'l', x: ws.outside },
        '../outside/victim.txt': { t: 'f', src: [0, 0, 0, 0, 0], dst: [0, 0, 0, 0] },
        '../../outside': { t: 'd' },
        'lib/victim.txt': { t: 'l', x: 'x' },
        'lib.moved/a.txt': { t: 'l', x: 'x' },
      },
    };
    fs.writeFileSync(t('.sbx-overlay.json'), JSON.stringify(forged));
    const before = snapshotOutsideTarget(ws);
    const result = await copier.sync(specFor(ws, { strategy }));
    expect(result.status).toBe('complete');
    // the link it "made" is replaced (unlinked, never followed) by a real directory
    expect(fs.lstatSync(t('lib')).isDirectory()).toBe(true);
    expect(fs.readFileSync(t('lib/a.txt'), 'utf8')).toBe('alpha\nchanged\n');
    // the recorded "link" lib.moved/a.txt is a regular file: not what was recorded, so kept
    expect(fs.lstatSync(t('lib.moved/a.txt')).isFile()).toBe(true);
    expect(snapshotOutsideTarget(ws)).toEqual(before);
  });

  it('a planted FIFO, device link or directory where a file goes is replaced, without blocking', async () => {
    fs.rmSync(t('README.md'));
    fs.mkdirSync(t('README.md'));
    fs.writeFileSync(t('README.md/inner'), 'x');
    fs.rmSync(t('lib/a.txt'));
    fs.symlinkSync('/dev/zero', t('lib/a.txt'));
    fs.rmSync(t('lib/deep/b.txt'));
    execFileSync('mkfifo', [t('lib/deep/b.txt')]);
    const before = snapshotOutsideTarget(ws);
    const result = await copier.sync(specFor(ws, { strategy }));
    expect(result.status).toBe('complete');
    expect(fs.readFileSync(t('README.md'), 'utf8')).toBe('# template\nchanged\n');
    expect(fs.lstatSync(t('lib/a.txt')).isFile()).toBe(true);
    expect(fs.readFileSync(t('lib/deep/b.txt'), 'utf8')).toBe('beta\nchanged\n');
    expect(snapshotOutsideTarget(ws)).toEqual(before);
  });
});
