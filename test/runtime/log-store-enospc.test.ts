// S21 (second half): the log directory on a full disk. The unit is never blocked, sbx keeps reading, counts what it
// could not store, and says so in the log once the disk accepts writes again. Needs root to mount a small tmpfs.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FifoLogStore } from '../../src/runtime/fifo-log-store.js';
import { MAX_LINE_BYTES } from '../../src/runtime/log-record.js';
import { FIXTURES, LogTestBed } from './log-store-helpers.js';
import { scanSequences } from './log-sequence.js';

const bed = new LogTestBed();
afterEach(() => bed.cleanup());

describe('FifoLogStore on a full disk', () => {
  it('drops and counts lines while the disk is full, never blocks the unit, and reports the loss when space frees', async () => {
    const dir = bed.tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', dir]);
    bed.teardowns.push(() => execFileSync('umount', [dir]));
    const store = bed.track(new FifoLogStore(dir, { rotation: { maxFileBytes: 1024 * 1024, maxFiles: 5 } }));
    const lines = 60_000; // 6 MB into a 3 MiB disk
    const unit = await bed.start(store, 'big', 'r1', [process.execPath, join(FIXTURES, 'log-flood.mjs'), String(lines * 100), 'stdout']);
    expect(await unit.exited).toBe(0);
    await store.drained('big', 'r1');

    store.note('big', 'stdout', 'x'.repeat(300_000)); // cannot fit either: the disk is still full

    // Every line is either stored or counted in a "[sbx] lost N lines" note (one per full-disk episode).
    const stored = await scanSequences(join(dir, 'big'), 5);
    const lostNotes = async (): Promise<number> =>
      (await store.read('big', { stream: 'stderr' }))
        .map((l) => /^\[sbx\] lost (\d+) lines: could not write the log \(ENOSPC\)$/.exec(l.text))
        .reduce((sum, m) => sum + Number(m?.[1] ?? 0), 0);
    expect(stored.stdout.lines).toBeGreaterThan(20_000);
    expect(stored.stdout.lines).toBeLessThan(lines);
    expect(stored.stdout.oldest).toBe(0);
    expect(stored.stdout.newest).toBeLessThan(lines);

    rmSync(join(dir, 'big', 'output.log.1')); // space frees
    store.note('big', 'stdout', 'after');
    const tail = await store.read('big', { stream: 'combined', tail: 2 });
    expect(tail[0]?.text).toMatch(/^\[sbx\] lost \d+ lines: could not write the log \(ENOSPC\)$/);
    expect(tail[1]?.text).toBe('after');
    // The 300 KB note was lost too: as 5 records (4 fragments of MAX_LINE_BYTES and the rest).
    expect(stored.stdout.lines + (await lostNotes())).toBe(lines + Math.ceil(300_000 / MAX_LINE_BYTES));
    // Notices come only with writes that landed: at most one per full-disk episode, not one per dropped chunk.
    expect((await store.read('big', { stream: 'stderr' })).length).toBeLessThan(10);
  });
});
