// S10: units and their output outlive the store that read them; a new store reattaches with no gap, no duplicate.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFifos } from '../../src/runtime/fifo-capture.js';
import { FifoLogStore } from '../../src/runtime/fifo-log-store.js';
import type { LogLine, LogStream } from '../../src/runtime/log-store.js';
import { eventually } from '../helpers/eventually.js';
import { FIXTURES, LogTestBed, joinFragments } from './log-store-helpers.js';

const bed = new LogTestBed();
afterEach(() => bed.cleanup());

const LINES_PER_STREAM = 100_000;
/** 100 lines per stream per millisecond, about 1 s in all: still writing when store A lets go. */
const floodUnit = [process.execPath, join(FIXTURES, 'log-flood.mjs'), String(LINES_PER_STREAM * 2 * 100), 'both', '1'];
const echoUnit = [process.execPath, join(FIXTURES, 'log-echo.mjs')];

/** Each stream's lines must be exactly 0, 1, … n-1 (after gluing fragments cut at the hand-over). */
const sequenceProblems = (lines: LogLine[], stream: LogStream, n: number): string[] => {
  const seqs = joinFragments(lines)
    .filter((l) => l.stream === stream)
    .map((l) => (/^\d{12} x{86}$/.test(l.text) ? Number(l.text.slice(0, 12)) : -1));
  const problems = seqs.flatMap((seq, i) => (seq === i ? [] : [`${stream} line ${i} is ${seq}`])).slice(0, 5);
  if (seqs.length !== n) problems.push(`${stream} has ${seqs.length} lines, expected ${n}`);
  return problems;
};

describe('FifoLogStore reattach', () => {
  it('a new store continues a run the old one let go of, while the unit kept writing', async () => {
    const dir = bed.tempDir();
    const a = bed.track(new FifoLogStore(dir));
    const unit = await bed.start(a, 'flood', 'r1', floodUnit);
    await eventually(async () => Number((await a.read('flood', { stream: 'stderr', tail: 1 }))[0]?.text.slice(0, 12)) >= 1000, {
      message: 'store A to have stored 1000+ stderr lines',
    });

    // The daemon "dies": A stops reading; the unit is not touched.
    await a.close();
    const storedByA = (await new FifoLogStore(dir).read('flood', { stream: 'combined' })).length;
    expect(storedByA).toBeGreaterThan(1000);
    expect(storedByA).toBeLessThan(2 * LINES_PER_STREAM);

    // With no reader, the unit fills the pipe and blocks in write(); it is not killed by SIGPIPE.
    await eventually(() => readFileSync(`/proc/${unit.pid}/wchan`, 'utf8').includes('pipe_write'), {
      message: 'the unit to block on the full pipe',
    });
    expect(unit.exitCode).toBeNull();

    const b = bed.track(new FifoLogStore(dir));
    await b.reattach('flood', 'r1');
    await b.drained('flood', 'r1');
    expect(await unit.exited).toBe(0);

    const lines = await b.read('flood', { stream: 'combined' });
    expect(sequenceProblems(lines, 'stdout', LINES_PER_STREAM)).toEqual([]);
    expect(sequenceProblems(lines, 'stderr', LINES_PER_STREAM)).toEqual([]);
    expect(existsSync(runFifos(join(dir, 'flood'), 'r1').stdout)).toBe(false);
  });

  it('a run whose unit ended while no store read it drains at once on reattach, and its FIFOs go away', async () => {
    const dir = bed.tempDir();
    const a = bed.track(new FifoLogStore(dir));
    const unit = await bed.start(a, 'quick', 'r1', echoUnit);
    await eventually(async () => (await a.read('quick', { stream: 'stdout' })).length === 1, { message: 'first line' });
    await a.close();
    unit.stdin?.end();
    await unit.exited;

    const b = bed.track(new FifoLogStore(dir));
    expect(b.pendingRuns('quick')).toEqual(['r1']);
    await expect(b.drained('quick', 'r1')).rejects.toThrow(/not being read; reattach it first/);
    await b.reattach('quick', 'r1');
    await b.drained('quick', 'r1');
    expect(existsSync(runFifos(join(dir, 'quick'), 'r1').stdout)).toBe(false);
    expect(b.pendingRuns('quick')).toEqual([]);
    await expect(b.drained('quick', 'r1')).resolves.toBeUndefined();
    await b.reattach('quick', 'r1'); // nothing left to attach: a no-op
    expect((await b.read('quick', { stream: 'stdout' })).map((l) => l.text)).toEqual(['ready']);
  });
});
