// The FIFO log store with real processes and files: views, tail, notes, long lines, follow, persistence.

import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FifoLogStore } from '../../src/runtime/fifo-log-store.js';
import { followAsStream } from '../../src/runtime/log-followers.js';
import { MAX_LINE_BYTES } from '../../src/runtime/log-record.js';
import type { LogLine } from '../../src/runtime/log-store.js';
import { eventually } from '../helpers/eventually.js';
import { FIXTURES, LogTestBed, joinFragments, texts } from './log-store-helpers.js';

const bed = new LogTestBed();
afterEach(() => bed.cleanup());

const newStore = (dir = bed.tempDir(), options = {}): FifoLogStore => bed.track(new FifoLogStore(dir, options));
const echoUnit = [process.execPath, join(FIXTURES, 'log-echo.mjs')];

describe('FifoLogStore', () => {
  it('keeps stdout and stderr, readable per stream, combined and as a tail, and removes the run FIFOs at EOF', async () => {
    const store = newStore();
    const unit = await bed.start(store, 'api', 'r1', ['sh', '-c', 'echo one; echo err1 >&2; echo two; echo err2 >&2; printf three']);
    await unit.exited;
    await store.drained('api', 'r1');
    store.note('api', 'stderr', '[sbx] exited with code 0');

    expect(texts(await store.read('api', { stream: 'stdout' }))).toEqual(['one', 'two', 'three']);
    expect(texts(await store.read('api', { stream: 'stderr' }))).toEqual(['err1', 'err2', '[sbx] exited with code 0']);
    const combined = await store.read('api', { stream: 'combined' });
    expect(texts(combined).sort()).toEqual(['[sbx] exited with code 0', 'err1', 'err2', 'one', 'three', 'two']);
    expect(combined.at(-1)?.text).toBe('[sbx] exited with code 0');
    expect(texts(await store.read('api', { stream: 'stdout', tail: 2 }))).toEqual(['two', 'three']);
    expect(texts(await store.read('api', { stream: 'combined', tail: 1 }))).toEqual(['[sbx] exited with code 0']);
    expect(await store.read('api', { stream: 'stdout', tail: 0 })).toEqual([]);
    expect(combined.every((l) => Math.abs(l.ts - Date.now()) < 60_000)).toBe(true);
    expect(readdirSync(join(store.dir, 'api', 'runs'))).toEqual([]);
  });

  it('orders the combined view as sbx read the lines', async () => {
    const store = newStore();
    const unit = await bed.start(store, 'echo', 'r1', echoUnit);
    await eventually(async () => (await store.read('echo', { stream: 'stdout' })).length === 1, { message: 'ready' });
    const sent: string[] = ['ready'];
    for (const [stream, text] of [['o', 'first'], ['e', 'second'], ['o', 'third'], ['e', 'fourth']] as const) {
      unit.stdin?.write(`${stream} ${text}\n`);
      sent.push(text);
      await eventually(async () => (await store.read('echo', { stream: 'combined' })).length === sent.length, { message: text });
    }
    expect(texts(await store.read('echo', { stream: 'combined' }))).toEqual(sent);
    expect((await store.read('echo', { stream: 'combined' })).map((l) => l.stream)).toEqual([
      'stdout',
      'stdout',
      'stderr',
      'stdout',
      'stderr',
    ]);
    unit.stdin?.end();
    await store.drained('echo', 'r1');
  });

  it('splits lines longer than MAX_LINE_BYTES into fragments flagged partial', async () => {
    const store = newStore();
    const long = 200_000;
    const script = `process.stdout.write('a'.repeat(${long}) + '\\nafter\\n')`;
    await (await bed.start(store, 'long', 'r1', [process.execPath, '-e', script])).exited;
    await store.drained('long', 'r1');
    const lines = await store.read('long', { stream: 'stdout' });
    const full = Math.floor(long / MAX_LINE_BYTES);
    expect(lines.map((l) => [l.text.length, l.partial === true])).toEqual([
      ...Array.from({ length: full }, () => [MAX_LINE_BYTES, true]),
      [long - full * MAX_LINE_BYTES, false],
      [5, false],
    ]);
    expect(texts(joinFragments(lines))).toEqual(['a'.repeat(long), 'after']);
  });

  it('follows: the tail first, then new lines of the chosen stream', async () => {
    const store = newStore();
    const unit = await bed.start(store, 'echo', 'r1', echoUnit);
    unit.stdin?.write('o before-1\no before-2\n');
    await eventually(async () => (await store.read('echo', { stream: 'stdout' })).length === 3, { message: 'history' });

    const seen: LogLine[] = [];
    const stop = store.follow('echo', { stream: 'stdout', tail: 2 }, (batch) => seen.push(...batch.lines));
    await eventually(() => seen.length === 2, { message: 'tail' });
    unit.stdin?.write('e not-for-stdout\no live-1\no live-2\n');
    await eventually(() => seen.length === 4, { message: 'live lines' });
    expect(texts(seen)).toEqual(['before-1', 'before-2', 'live-1', 'live-2']);

    stop();
    unit.stdin?.write('o after-stop\n');
    await eventually(async () => (await store.read('echo', { stream: 'stdout', tail: 1 }))[0]?.text === 'after-stop');
    expect(seen).toHaveLength(4);
  });

  it('bounds what a follower queues while its history loads, replacing the overflow with a dropped marker', async () => {
    const store = newStore(undefined, { followBufferLines: 5 });
    store.note('u', 'stdout', 'old');
    const seen: string[] = [];
    store.follow('u', { stream: 'combined', tail: 10 }, (batch) => seen.push(...batch.lines.map((l) => l.text)));
    for (let i = 0; i < 20; i++) store.note('u', 'stdout', `new-${i}`); // before the history read can finish
    await eventually(() => seen.length === 7, { message: 'history, marker and queue' });
    expect(seen).toEqual(['old', '[sbx] dropped 15 lines (reader too slow)', 'new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    store.note('u', 'stdout', 'live');
    expect(seen.at(-1)).toBe('live');
  });

  it('followAsStream keeps at most maxBuffered lines for a slow consumer and reports the rest as dropped', async () => {
    const store = newStore();
    const stream = followAsStream(store, 'u', { stream: 'stdout', tail: 0 }, 10);
    await eventually(async () => {
      store.note('u', 'stdout', 'probe');
      return stream.readableLength > 0;
    });
    while (stream.read() !== null); // drain the probes
    for (let i = 0; i < 100; i++) store.note('u', 'stdout', `line-${i}`);
    expect(stream.readableLength).toBe(10);
    const first = Array.from({ length: 10 }, () => (stream.read() as LogLine).text);
    expect(first).toEqual(Array.from({ length: 10 }, (_, i) => `line-${i}`));
    store.note('u', 'stdout', 'later');
    expect([(stream.read() as LogLine).text, (stream.read() as LogLine).text]).toEqual([
      '[sbx] dropped 90 lines (reader too slow)',
      'later',
    ]);
    stream.destroy();
  });

  it('keeps logs for a later store instance, and repairs a torn frame left by a crash', async () => {
    const dir = bed.tempDir();
    const first = newStore(dir);
    await (await bed.start(first, 'db', 'r1', ['sh', '-c', 'echo alpha; echo beta'])).exited;
    await first.drained('db', 'r1');
    await first.close();
    appendFileSync(join(dir, 'db', 'output.log'), 'gamma\n\x1e17000'); // a frame cut short by kill -9

    const second = newStore(dir);
    expect(texts(await second.read('db', { stream: 'stdout' }))).toEqual(['alpha', 'beta']);
    second.note('db', 'stdout', 'delta');
    expect(texts(await second.read('db', { stream: 'combined' }))).toEqual(['alpha', 'beta', 'delta']);
  });

  it('removes a unit’s logs', async () => {
    const store = newStore();
    store.note('gone', 'stdout', 'x');
    await store.remove('gone');
    expect(existsSync(join(store.dir, 'gone'))).toBe(false);
    expect(await store.read('gone', { stream: 'combined' })).toEqual([]);
  });

  it.each([
    { name: 'a unit name with a slash', act: (s: FifoLogStore) => s.read('../etc', { stream: 'stdout' }), error: /invalid unit name "..\/etc"/ },
    { name: 'an unknown stream', act: (s: FifoLogStore) => s.read('u', { stream: 'both' as 'stdout' }), error: /stream must be stdout, stderr or combined/ },
    { name: 'a negative tail', act: (s: FifoLogStore) => s.read('u', { stream: 'stdout', tail: -1 }), error: /tail must be a non-negative integer/ },
    { name: 'a run id with spaces', act: (s: FifoLogStore) => s.open('u', 'a b'), error: /invalid run id "a b"/ },
  ])('rejects $name with a clear error', async ({ act, error }) => {
    await expect(act(newStore())).rejects.toThrow(error);
  });

  it('rejects a rotation size too small to hold whole frames', () => {
    expect(() => new FifoLogStore(bed.tempDir(), { rotation: { maxFileBytes: 1000 } })).toThrow(/maxFileBytes must be an integer ≥ 1048576/);
  });
});
