// Followers with back-pressure (a FollowFlow) on the real store and real files: one that falls behind goes on from the
// files, sees every line in order across rotations, and is told only of files rotated out before it got to them.

import { afterEach, describe, expect, it } from 'vitest';
import { FifoLogStore } from '../../src/runtime/fifo-log-store.js';
import type { FollowFlow, LogLine } from '../../src/runtime/log-store.js';
import { eventually } from '../helpers/eventually.js';
import { LogTestBed } from './log-store-helpers.js';

const bed = new LogTestBed();
afterEach(() => bed.cleanup());

const MiB = 1024 * 1024;
const newStore = (maxFiles: number): FifoLogStore => bed.track(new FifoLogStore(bed.tempDir(), { rotation: { maxFileBytes: MiB, maxFiles } }));

/** A consumer whose room the test opens and closes. */
const gate = (): { flow: FollowFlow; open(): void; close(): void } => {
  let isOpen = true;
  let waiters: (() => void)[] = [];
  return {
    flow: { hasRoom: () => isOpen, waitRoom: () => (isOpen ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))) },
    open() {
      isOpen = true;
      for (const wake of waiters) wake();
      waiters = [];
    },
    close() {
      isOpen = false;
    },
  };
};

/** A line of about 1 KiB carrying its number. */
const numbered = (i: number): string => `${String(i).padStart(8, '0')} ${'x'.repeat(1000)}`;

/** Checks what a follower saw: numbered lines in order, each jump right after a marker; returns the counts. */
const scan = (seen: LogLine[]): { lines: number; markers: number; silentGaps: number; first: number; last: number } => {
  let expected: number | null = null;
  let marked = false;
  const out = { lines: 0, markers: 0, silentGaps: 0, first: -1, last: -1 };
  for (const line of seen) {
    if (line.text.startsWith('[sbx] dropped')) {
      out.markers++;
      marked = true;
      continue;
    }
    const n = Number(line.text.slice(0, 8));
    if (expected !== null && n !== expected && !marked) out.silentGaps++;
    if (out.first === -1) out.first = n;
    out.last = n;
    expected = n + 1;
    marked = false;
    out.lines++;
  }
  return out;
};

describe('following with back-pressure', () => {
  it('a follower with no room while 3 MiB are written and rotated (5 files kept) then gets every line in order, no marker, and goes live', async () => {
    const store = newStore(5);
    const consumer = gate();
    const seen: LogLine[] = [];
    store.note('u', 'stdout', numbered(0));
    consumer.close();
    store.follow('u', { stream: 'stdout', tail: 1 }, (batch) => seen.push(...batch.lines), consumer.flow);
    for (let i = 1; i < 3000; i++) store.note('u', 'stdout', numbered(i));
    await eventually(() => seen.length >= 1, { message: 'history delivered' });
    expect(seen.length).toBe(1); // the rest waits for room, in the files and not in memory
    consumer.open();
    await eventually(() => seen.at(-1)?.text === numbered(2999), { message: 'caught up' });
    store.note('u', 'stdout', numbered(3000));
    expect(seen.at(-1)?.text).toBe(numbered(3000)); // live again: delivered in the same turn
    expect(scan(seen)).toEqual({ lines: 3001, markers: 0, silentGaps: 0, first: 0, last: 3000 });
  });

  it('a follower that stalls mid-flood beyond the retention (2 files kept) is told the files it lost, then reads on to the end with no silent gap', async () => {
    const store = newStore(2);
    const consumer = gate();
    const seen: LogLine[] = [];
    store.follow('u', { stream: 'stdout', tail: 0 }, (batch) => seen.push(...batch.lines), consumer.flow);
    store.note('u', 'stdout', numbered(0));
    await eventually(() => seen.length === 1, { message: 'live' });
    consumer.close();
    for (let i = 1; i < 5000; i++) store.note('u', 'stdout', numbered(i));
    consumer.open();
    await eventually(() => seen.at(-1)?.text === numbered(4999), { message: 'caught up' });
    const result = scan(seen);
    expect(result).toMatchObject({ markers: 1, silentGaps: 0, first: 0, last: 4999 });
    expect(result.lines).toBeLessThan(5000);
    expect(result.lines).toBeGreaterThan(1000); // what the two retained files hold
    expect(seen.find((l) => l.text.startsWith('[sbx] dropped'))?.text).toMatch(/^\[sbx\] dropped the lines of \d+ log files?: rotated out/);
  });

  it('a consumer that takes lines a batch per turn while the unit writes keeps every line of its own view, in order', async () => {
    const store = newStore(5);
    const seen: LogLine[] = [];
    let taken = 0;
    let waiters: (() => void)[] = [];
    const flow: FollowFlow = {
      hasRoom: () => seen.length - taken < 200,
      waitRoom: () => new Promise<void>((resolve) => waiters.push(resolve)),
    };
    let consuming = true;
    const consume = (): void => {
      taken = seen.length;
      for (const wake of waiters) wake();
      waiters = [];
      if (consuming) setImmediate(consume);
    };
    consume();
    store.follow('u', { stream: 'stderr', tail: 0 }, (batch) => seen.push(...batch.lines), flow);
    store.note('u', 'stderr', numbered(0));
    await eventually(() => seen.length === 1, { message: 'live' });
    for (let i = 1; i < 4000; i++) {
      store.note('u', 'stdout', `noise ${i}`);
      store.note('u', 'stderr', numbered(i));
    }
    await eventually(() => seen.at(-1)?.text === numbered(3999), { message: 'caught up' });
    consuming = false;
    expect(seen.every((l) => l.stream === 'stderr')).toBe(true);
    expect(scan(seen)).toEqual({ lines: 4000, markers: 0, silentGaps: 0, first: 0, last: 3999 });
  });
});
