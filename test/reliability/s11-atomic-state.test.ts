// S11 Atomic state under SIGKILL and ENOSPC (reliability-anchors.md §2.C; pm2#2827, #2971, #3485; systemd
// CVE-2018-15686). Pass: the state parses after every kill; on ENOSPC the previous state is kept byte for byte and
// never truncated; strace shows write temp → fsync(temp) → rename → fsync(dir); values a unit controls are
// length-bounded in the state file.
// The writer is the product's FileStateStore (dist/), in a child that saves states of 1 to 400 units in a loop
// (test/daemon/fixtures/state-writer.mjs) and is SIGKILLed after a random number of saves, mid-way through the next.
// Scaled: 200 kills instead of 1,000 (each costs a Node start-up); ENOSPC on a 64 KiB tmpfs as written.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/state/file-state-store.js';
import { MAX_SAVED_TEXT, parseSavedState, toSavedState } from '../../src/state/saved-state.js';
import { distDir, fixture as daemonFixture } from '../daemon/helpers/processes.js';
import { eventually } from '../helpers/eventually.js';
import { figure, RelProject } from './harness/rel-project.js';

const KILLS = 200;

const cleanups: (() => Promise<void> | void)[] = [];
let project: RelProject | null = null;
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'sbx-rel-s11-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

/** Runs the writer until it has completed `saves` saves, then SIGKILLs it; resolves once it is gone. */
const killWriterAfter = (path: string, saves: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [daemonFixture('state-writer.mjs'), distDir, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.split('\n').length - 1 >= saves) child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });

/** A state naming `units` units, each with a `cmd` of `width` characters. */
const stateOf = (project: string, units: number, width: number, at: number) => {
  const specs: Record<string, unknown> = {};
  for (let i = 0; i < units; i++) specs[`u${i}`] = { spec: { name: `u${i}`, cmd: 'x'.repeat(width) }, enabled: true, owner: 'manifest' };
  return toSavedState({ desired: { project, units: specs, overlays: {} }, observed: { units: {}, overlays: {} } } as never, at);
};

describe('S11 atomic state', () => {
  it(`parses after ${KILLS} SIGKILLs of a writer mid-save`, async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    const store = new FileStateStore(path);
    let parsed = 0;
    let lastSaved = 0;
    let totalSaves = 0;
    for (let i = 0; i < KILLS; i++) {
      const saves = 1 + Math.floor(Math.random() * 20);
      totalSaves += saves;
      await killWriterAfter(path, saves);
      const loaded = await store.load();
      if (loaded.corrupt === null && loaded.state !== null) parsed++;
      lastSaved = Number(loaded.state?.desired.project.slice(1) ?? 0);
    }
    const temps = (await readdir(dir)).filter((name) => name.includes('.tmp-'));
    figure(`S11 kills: state parsed after ${parsed}/${KILLS} SIGKILLs (at least ${totalSaves} saves), last whole save #${lastSaved}; temp files left after load: ${temps.length} (pass: ${KILLS}/${KILLS})`);
    expect(parsed).toBe(KILLS);
    expect(lastSaved).toBeGreaterThan(0);
    expect(temps).toEqual([]);
  }, 300_000);

  it('on a full disk keeps the previous state byte for byte, leaves no temp file, and saves again once there is room', async () => {
    const dir = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
    cleanups.push(() => void execFileSync('umount', [dir]));
    const path = join(dir, 'state.json');
    const store = new FileStateStore(path);
    await store.write(stateOf('before', 3, 10, 1));
    const before = await readFile(path);
    // Fill the disk but for a few KiB; the next state needs more than that.
    const filler = join(dir, 'filler');
    let size = 64 * 1024;
    for (;;) {
      try {
        await writeFile(filler, Buffer.alloc(size));
        break;
      } catch {
        size -= 4096;
      }
    }
    const refused = await store.write(stateOf('after', 200, 100, 2)).then(
      () => null,
      (error: NodeJS.ErrnoException) => error.code ?? String(error),
    );
    const kept = await readFile(path);
    const temps = (await readdir(dir)).filter((name) => name.includes('.tmp-'));
    await rm(filler);
    await store.write(stateOf('after', 200, 100, 2));
    const recovered = parseSavedState(await readFile(path, 'utf8'));
    figure(
      `S11 ENOSPC: a ${Math.round(JSON.stringify(stateOf('after', 200, 100, 2)).length / 1024)} KiB save on a full 64 KiB tmpfs was refused (${refused}); previous state ${kept.equals(before) ? 'kept byte for byte' : 'CHANGED'}, ` +
        `${temps.length} temp files left; saved once room came back: ${recovered.ok ? recovered.value.desired.project : 'NO'} (pass: kept byte for byte, never truncated)`,
    );
    expect(refused).toBe('ENOSPC');
    expect(kept.equals(before)).toBe(true);
    expect(temps).toEqual([]);
    expect(recovered.ok && recovered.value.desired.project).toBe('after');
  });

  it('writes temp, fsyncs it, renames it over, then fsyncs the folder (strace)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    const trace = join(dir, 'trace');
    // Two saves through the product's store, traced from start to exit.
    const script = `const { FileStateStore } = await import(${JSON.stringify(`${distDir}/state/file-state-store.js`)});
const { toSavedState } = await import(${JSON.stringify(`${distDir}/state/saved-state.js`)});
const store = new FileStateStore(${JSON.stringify(path)});
for (let n = 1; n <= 2; n++) await store.write(toSavedState({ desired: { project: 'p' + n, units: {}, overlays: {} }, observed: { units: {}, overlays: {} } }, n));`;
    execFileSync('strace', ['-f', '-qq', '-o', trace, '-e', 'trace=openat,write,pwrite64,writev,pwritev,fsync,fdatasync,rename,renameat,renameat2', process.execPath, '--input-type=module', '-e', script]);
    const calls = (await readFile(trace, 'utf8')).split('\n').map((line) => line.replace(/^\d+\s+/, ''));
    // Follow the first completed save: the temp's fd, its fsync, the rename, then an fsync of the folder's fd.
    const openTemp = calls.findIndex((c) => c.startsWith('openat(') && c.includes(`${path}.tmp-`) && /O_EXCL/.test(c));
    const tempFd = /= (\d+)$/.exec(calls[openTemp] ?? '')?.[1];
    const wrote = calls.findIndex((c, i) => i > openTemp && new RegExp(`^p?writev?(64)?\\(${tempFd},`).test(c));
    const synced = calls.findIndex((c, i) => i > wrote && new RegExp(`^f(data)?sync\\(${tempFd}\\)`).test(c));
    const renamed = calls.findIndex((c, i) => i > synced && /^rename(at2?)?\(/.test(c) && c.includes(`${path}.tmp-`) && c.includes(`"${path}"`));
    const openDir = calls.findIndex((c, i) => i > renamed && c.startsWith('openat(') && c.includes(`"${dir}"`));
    const dirFd = /= (\d+)$/.exec(calls[openDir] ?? '')?.[1];
    const dirSynced = calls.findIndex((c, i) => i > openDir && new RegExp(`^f(data)?sync\\(${dirFd}\\)`).test(c));
    const order = [openTemp, wrote, synced, renamed, openDir, dirSynced];
    figure(`S11 syscall order: open temp #${openTemp}, write #${wrote}, fsync(temp) #${synced}, rename #${renamed}, open folder #${openDir}, fsync(folder) #${dirSynced} (pass: in this order)`);
    for (const index of order) expect(index).toBeGreaterThanOrEqual(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('bounds what a unit controls: a failing install that prints a 200 KB line leaves a bounded last_error in state.json', async () => {
    project = await RelProject.create('s11');
    await project.manifest(['servers:', `  noisy: { install: "head -c 200000 /dev/zero | tr '\\\\0' x; echo; exit 3", start: "sleep 100000" }`]);
    await project.sbx(['apply', '--timeout', '30s'], { timeoutMs: 60_000 });
    const state = await eventually(
      async () => {
        const parsed = parseSavedState(await readFile(project!.path('.sbx/state.json'), 'utf8'));
        return parsed.ok && parsed.value.observed.units['noisy']?.phase === 'failed' ? parsed.value : null;
      },
      { timeoutMs: 30_000, message: 'noisy failed in state.json' },
    );
    const error = state?.observed.units['noisy']?.last_error ?? '';
    figure(`S11 bounded values: a failing install printed a 200,000-byte line; last_error in state.json is ${error.length} characters (pass: <= ${MAX_SAVED_TEXT} + the truncation mark)`);
    expect(error).toMatch(/3/);
    expect(error.length).toBeLessThanOrEqual(MAX_SAVED_TEXT + '… (truncated)'.length);
  });
});
