// The watcher against real files in a temp dir: plain writes, editors' atomic saves, bursts, re-creation, updates, close.

import { mkdtemp, mkdir, rename, rm, unlink, writeFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFiles, type FileWatcher } from '../../src/watch/file-watcher.js';
import { createChangeRecorder, type ChangeRecorder } from './change-recorder.js';

let dir: string;
let manifest: string;
let envFile: string;
let barrier: string;
const watchers: FileWatcher[] = [];

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'sbx-watch-')));
  manifest = path.join(dir, 'sandbox.yaml');
  envFile = path.join(dir, '.env');
  barrier = path.join(dir, 'barrier.txt');
  await writeFile(manifest, 'version: 1\n');
  await writeFile(envFile, 'A=1\n');
  await writeFile(barrier, '0\n');
});

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
  await rm(dir, { recursive: true, force: true });
});

/** Starts a watcher and waits for its initial scan. */
const start = async (recorder: ChangeRecorder, files: string[], dirs: string[] = []): Promise<FileWatcher> => {
  const watcher = watchFiles({ files, dirs, onChange: recorder.onChange });
  watchers.push(watcher);
  await watcher.ready;
  return watcher;
};

/** Touches the barrier file and waits for its own callback: every earlier event has been reported by then. */
const passBarrier = async (recorder: ChangeRecorder): Promise<string[][]> => {
  const expected = recorder.calls.length + 1;
  await writeFile(barrier, `${Date.now()}\n`);
  return recorder.waitForCalls(expected);
};

describe('watchFiles', () => {
  it('reports a plain write once', async () => {
    const recorder = createChangeRecorder();
    await start(recorder, [manifest, barrier]);
    await writeFile(manifest, 'version: 1\nname: a\n');
    expect(await recorder.waitForCalls(1)).toEqual([[manifest]]);
    expect(await passBarrier(recorder)).toEqual([[manifest], [barrier]]);
  });

  it('reports an atomic save (write temp, rename over) once, naming the file', async () => {
    const recorder = createChangeRecorder();
    await start(recorder, [manifest, barrier]);
    const temp = path.join(dir, '.sandbox.yaml.tmp-4821');
    await writeFile(temp, 'version: 1\nname: b\n');
    await rename(temp, manifest);
    expect(await recorder.waitForCalls(1)).toEqual([[manifest]]);
    expect(await passBarrier(recorder)).toEqual([[manifest], [barrier]]);
  });

  it("reports vim's backup-rename save once", async () => {
    const recorder = createChangeRecorder();
    await start(recorder, [manifest, barrier]);
    const backup = `${manifest}~`;
    await rename(manifest, backup);
    await writeFile(manifest, 'version: 1\nname: c\n');
    await unlink(backup);
    expect(await recorder.waitForCalls(1)).toEqual([[manifest]]);
    expect(await passBarrier(recorder)).toEqual([[manifest], [barrier]]);
  });

  it('collapses five quick writes into one callback', async () => {
    const recorder = createChangeRecorder();
    await start(recorder, [manifest, envFile, barrier]);
    for (let i = 0; i < 5; i += 1) {
      await writeFile(i % 2 === 0 ? manifest : envFile, `N=${i}\n`);
    }
    expect(await recorder.waitForCalls(1)).toEqual([[envFile, manifest]]);
    expect(await passBarrier(recorder)).toEqual([[envFile, manifest], [barrier]]);
  });

  it('reports a file deleted and recreated, and keeps watching the new file', async () => {
    const recorder = createChangeRecorder();
    await start(recorder, [manifest]);
    await rm(manifest);
    await writeFile(manifest, 'version: 1\nname: d\n');
    const afterRecreate = await recorder.waitForCalls(1);
    expect(afterRecreate.flat()).toContain(manifest);
    const seen = recorder.calls.length;
    await writeFile(manifest, 'version: 1\nname: e\n');
    expect((await recorder.waitForCalls(seen + 1))[seen]).toEqual([manifest]);
  });

  it('reports a file that did not exist when the watch started', async () => {
    const recorder = createChangeRecorder();
    const optional = path.join(dir, '.env.local');
    await start(recorder, [manifest, optional]);
    await writeFile(optional, 'B=2\n');
    expect(await recorder.waitForCalls(1)).toEqual([[optional]]);
  });

  it('reports a file whose folder did not exist when the watch started', async () => {
    const recorder = createChangeRecorder();
    const optional = path.join(dir, 'later', 'deeper', '.env');
    await start(recorder, [manifest, optional]);
    await mkdir(path.dirname(optional), { recursive: true });
    await writeFile(optional, 'B=2\n');
    expect(await recorder.waitForCalls(1)).toEqual([[optional]]);
  });

  it('watches an env file added by update, and not before', async () => {
    const recorder = createChangeRecorder();
    const watcher = await start(recorder, [manifest, barrier]);
    await writeFile(envFile, 'A=2\n');
    expect(await passBarrier(recorder)).toEqual([[barrier]]);
    await watcher.update([manifest, envFile, barrier]);
    await writeFile(envFile, 'A=3\n');
    expect(await recorder.waitForCalls(2)).toEqual([[barrier], [envFile]]);
  });

  it('watches env files in other folders and stops watching files dropped by update', async () => {
    const recorder = createChangeRecorder();
    const configDir = path.join(dir, 'config');
    await mkdir(configDir);
    const nested = path.join(configDir, '.env.shared');
    await writeFile(nested, 'C=1\n');
    const watcher = await start(recorder, [manifest, nested, barrier]);
    await writeFile(nested, 'C=2\n');
    expect(await recorder.waitForCalls(1)).toEqual([[nested]]);
    await watcher.update([manifest, barrier]);
    await writeFile(nested, 'C=3\n');
    expect(await passBarrier(recorder)).toEqual([[nested], [barrier]]);
  });

  it('watches overlay source folders recursively, skipping .sbx and node_modules', async () => {
    const recorder = createChangeRecorder();
    const source = path.join(dir, 'templates', 'web');
    await mkdir(path.join(source, 'node_modules', 'dep'), { recursive: true });
    await mkdir(path.join(source, '.sbx'), { recursive: true });
    await mkdir(path.join(source, 'src'), { recursive: true });
    await start(recorder, [manifest, barrier], [source]);
    const page = path.join(source, 'src', 'index.html');
    await writeFile(page, '<p>hi</p>\n');
    expect(await recorder.waitForCalls(1)).toEqual([[page]]);
    await writeFile(path.join(source, 'node_modules', 'dep', 'index.js'), 'x\n');
    await writeFile(path.join(source, '.sbx', 'state.json'), '{}\n');
    await writeFile(path.join(dir, 'unrelated.txt'), 'y\n');
    expect(await passBarrier(recorder)).toEqual([[page], [barrier]]);
  });

  it('ignores the project .sbx folder beside the manifest', async () => {
    const recorder = createChangeRecorder();
    await mkdir(path.join(dir, '.sbx', 'logs'), { recursive: true });
    await start(recorder, [manifest, barrier], [dir]);
    await writeFile(path.join(dir, '.sbx', 'logs', 'web.log'), 'line\n');
    await writeFile(path.join(dir, '.sbx', 'state.json'), '{}\n');
    expect(await passBarrier(recorder)).toEqual([[barrier]]);
  });

  it('stops calling back once closed', async () => {
    const recorder = createChangeRecorder();
    const watcher = await start(recorder, [manifest]);
    const witness = createChangeRecorder();
    await start(witness, [manifest]);
    await watcher.close();
    await writeFile(manifest, 'version: 1\nname: f\n');
    await witness.waitForCalls(1);
    await writeFile(manifest, 'version: 1\nname: g\n');
    expect(await witness.waitForCalls(2)).toEqual([[manifest], [manifest]]);
    expect(recorder.calls).toEqual([]);
  });
});
