// S27 race: while the overlay re-syncs again and again, another process swaps subdirectories for symlinks to an
// outside directory: in the target (a hostile unit) or in the source (a hostile template). Nothing may ever be
// written outside the target, and nothing from outside may ever be copied in.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsOverlayCopier } from '../../src/runtime/fs-overlay-copier.js';
import { eventually } from '../helpers/eventually.js';
import { fillSource, makeWorkspace, removeWorkspace, snapshot, specFor, type Workspace } from './overlay-fixture.js';

const RACER = fileURLToPath(new URL('./overlay-racer.mjs', import.meta.url));
const ITERATIONS = 200;

let ws: Workspace;
let racer: ChildProcess | undefined;

beforeEach(() => {
  ws = makeWorkspace();
  fillSource(ws);
});
/** Kills the racer (if still running) and waits for it to be gone. */
const stopRacer = async (): Promise<void> => {
  if (racer && racer.exitCode === null && racer.signalCode === null) {
    const exited = new Promise((resolve) => racer?.once('exit', resolve));
    racer.kill('SIGKILL');
    await exited;
  }
  racer = undefined;
};

afterEach(async () => {
  await stopRacer();
  removeWorkspace(ws);
});

/** Starts the racer on `root`'s subdirectories `rels`; resolves once it says it is running. */
const startRacer = async (root: string, rels: string[]): Promise<void> => {
  let out = '';
  racer = spawn(process.execPath, [RACER, root, ws.outside, '50000000', ...rels], { stdio: ['ignore', 'pipe', 'inherit'] });
  racer.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await eventually(() => out.includes('ready'), { message: 'the racer to start' });
};

/**
 * Absolute links in the target other than smart shares into the source (the copier's links are relative, checked
 * at copy time). `racerPaths`: where a killed racer may have left its own link to `outside`.
 */
const foreignLinks = (racerPaths: string[] = []): string[] =>
  Object.entries(snapshot(ws.target))
    .filter(([, v]) => v.startsWith('l /') && !v.startsWith(`l ${ws.src}/`))
    .filter(([rel, v]) => !(racerPaths.includes(rel) && v === `l ${ws.outside}`))
    .map(([rel, v]) => `${rel} ${v}`);

describe.each(['copy', 'smart'] as const)('overlay %s against a directory-swapping racer', (strategy) => {
  it(`in the target: writes nothing outside it in ${ITERATIONS} re-syncs`, async () => {
    const copier = new FsOverlayCopier();
    expect((await copier.sync(specFor(ws, { strategy }))).status).toBe('complete');
    const outside = snapshot(ws.outside);
    // under smart, target/node_modules is the source's own directory (by design), so it is not raced here
    const swapped = strategy === 'copy' ? ['lib', 'lib/deep', 'packages/app', 'node_modules/pkg'] : ['lib', 'lib/deep', 'packages/app'];
    await startRacer(ws.target, swapped);
    let complete = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      for (const rel of ['lib/a.txt', 'lib/deep/b.txt', 'packages/app/main.js', 'node_modules/pkg/index.js']) {
        fs.writeFileSync(path.join(ws.src, rel), `iteration ${i}\n`);
      }
      const result = await copier.sync(specFor(ws, { strategy }));
      if (result.status === 'complete') complete++;
      else expect(result.error).toMatch(/^overlay tpl: .*(symlink|outside the target|E[A-Z]+)/);
      expect(snapshot(ws.outside), `outside changed at iteration ${i}: ${result.error}`).toEqual(outside);
    }
    expect(racer?.exitCode, 'the racer ran for the whole loop').toBeNull();
    await stopRacer();
    expect(foreignLinks(swapped)).toEqual([]);
    expect(complete, 'some syncs got through the race').toBeGreaterThan(0);
  });

  it(`in the source: copies nothing from outside in ${ITERATIONS} re-syncs`, async () => {
    const copier = new FsOverlayCopier();
    const outside = snapshot(ws.outside);
    await startRacer(ws.src, ['lib', 'lib/deep', 'packages/app']);
    for (let i = 0; i < ITERATIONS; i++) {
      const result = await copier.sync(specFor(ws, { strategy }));
      expect(result.error ?? '').not.toMatch(/outside the target/);
      const intruders = Object.keys(snapshot(ws.target)).filter((rel) => rel.endsWith('victim.txt'));
      expect(intruders, `outside content copied at iteration ${i}`).toEqual([]);
      expect(snapshot(ws.outside)).toEqual(outside);
    }
    expect(racer?.exitCode, 'the racer ran for the whole loop').toBeNull();
    await stopRacer();
    expect(foreignLinks()).toEqual([]);
  });
});
