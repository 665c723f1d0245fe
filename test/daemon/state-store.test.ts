// The file state store on a real disk: atomic under SIGKILL of a writer mid-loop, private, and never replacing
// an unreadable file with empty state.

import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/state/file-state-store.js';
import { toSavedState } from '../../src/state/saved-state.js';
import { distDir, fixture, killAll, spawnLines } from './helpers/processes.js';
import { cleanupTestDaemons, tempProject } from './helpers/test-daemon.js';

afterEach(async () => {
  await killAll();
  await cleanupTestDaemons();
});

const KILLS = 20;

describe('FileStateStore', () => {
  it(`always holds a whole state after ${KILLS} SIGKILLs of a writer at random points`, async () => {
    const dir = await tempProject();
    const path = join(dir, 'state.json');
    const store = new FileStateStore(path);
    let lastProject = 'none';
    for (let i = 0; i < KILLS; i++) {
      const writer = spawnLines([process.execPath, fixture('state-writer.mjs'), distDir, path]);
      // Kill after a random number of completed writes: somewhere inside the next write.
      const after = 1 + Math.floor(Math.random() * 40);
      await writer.line((l) => Number(l) >= after);
      writer.child.kill('SIGKILL');
      await writer.exited;
      const loaded = await store.load();
      expect(loaded.corrupt).toBeNull();
      expect(loaded.state).not.toBeNull();
      expect(loaded.state?.desired.project).toMatch(/^p\d+$/);
      lastProject = loaded.state?.desired.project ?? lastProject;
    }
    expect(lastProject).not.toBe('none');
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('writes the file with mode 0600 and reads back what it wrote', async () => {
    const dir = await tempProject();
    const store = new FileStateStore(join(dir, 'state.json'));
    const state = toSavedState({ desired: { project: 'p', units: {}, overlays: {} }, observed: { units: {}, overlays: {} } }, 42);
    await store.write(state);
    expect((await stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual({ state, corrupt: null });
  });

  it('answers no state (and moves nothing) when there is no file', async () => {
    const dir = await tempProject();
    expect(await new FileStateStore(join(dir, 'state.json')).load()).toEqual({ state: null, corrupt: null });
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['truncated JSON', '{"version":1,"saved_at":1,"desired":{'],
    ['another version', '{"version":99}'],
    ['binary garbage', '\u0000\u0001\u0002'],
  ])('keeps %s aside under a .corrupt-<time> name, byte for byte', async (_label, content) => {
    const dir = await tempProject();
    const path = join(dir, 'state.json');
    await writeFile(path, content);
    const loaded = await new FileStateStore(path, () => Date.UTC(2026, 0, 2, 3, 4, 5)).load();
    expect(loaded.state).toBeNull();
    expect(loaded.corrupt?.movedTo).toBe(`${path}.corrupt-2026-01-02T03-04-05-000Z`);
    expect(await readFile(loaded.corrupt?.movedTo as string, 'utf8')).toBe(content);
    expect(await readdir(dir)).toEqual(['state.json.corrupt-2026-01-02T03-04-05-000Z']);
  });
});
