import { describe, expect, it } from 'vitest';
import { validEndIn } from './log-file-reader.js';
import {
  LineFramer,
  MAX_FRAME_BYTES,
  MAX_LINE_BYTES,
  decodeFrame,
  encodeTrailer,
  frameEndingAt,
  framesForText,
  parseTrailer,
  utf8SafeCut,
  type Frame,
} from './log-record.js';
import type { LogLine } from './log-store.js';

/** Frames as they would sit in a file. */
const encode = (frames: Frame[], ts = 1_700_000_000_000): Buffer =>
  Buffer.concat(frames.flatMap((f) => [...f.parts, encodeTrailer(f, ts)]));

/** Reads a file image back, oldest line first. */
const decodeAll = (file: Buffer): LogLine[] => {
  const frames: LogLine[][] = [];
  let end = file.length;
  while (end > 0) {
    const frame = frameEndingAt(file, end);
    if (!frame) throw new Error(`no frame ends at ${end}`);
    frames.unshift(decodeFrame(file, frame));
    end = frame.dataStart;
  }
  return frames.flat();
};

const run = (chunks: (string | Buffer)[], finish: 'end' | 'cut' | 'none' = 'end'): LogLine[] => {
  const framer = new LineFramer('stdout');
  const frames = chunks.flatMap((c) => framer.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
  if (finish === 'end') frames.push(...framer.end());
  if (finish === 'cut') frames.push(...framer.cut());
  return decodeAll(encode(frames));
};

const texts = (lines: LogLine[]): string[] => lines.map((l) => (l.partial ? `${l.text}↩` : l.text));

describe('LineFramer', () => {
  it.each([
    { name: 'whole lines', chunks: ['a\nb\n'], finish: 'end' as const, want: ['a', 'b'] },
    { name: 'a line across chunks', chunks: ['hel', 'lo\nwor', 'ld\n'], finish: 'end' as const, want: ['hello', 'world'] },
    { name: 'last line without newline at EOF', chunks: ['a\nb'], finish: 'end' as const, want: ['a', 'b'] },
    { name: 'incomplete line held back', chunks: ['a\nb'], finish: 'none' as const, want: ['a'] },
    { name: 'cut at hand-over marks a fragment', chunks: ['a\nb'], finish: 'cut' as const, want: ['a', 'b↩'] },
    { name: 'empty lines kept', chunks: ['\n\nx\n'], finish: 'end' as const, want: ['', '', 'x'] },
    { name: 'CR and NUL kept verbatim', chunks: ['a\rb\u0000c\n'], finish: 'end' as const, want: ['a\rb\u0000c'] },
    { name: 'nothing written', chunks: [], finish: 'end' as const, want: [] },
  ])('$name', ({ chunks, finish, want }) => {
    expect(texts(run(chunks, finish))).toEqual(want);
  });

  it('splits a line longer than MAX_LINE_BYTES inside one chunk into flagged fragments', () => {
    const long = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
    const lines = run([`a\n${long}\nb\n`]);
    expect(lines.map((l) => [l.text.length, l.partial ?? false])).toEqual([
      [1, false],
      [MAX_LINE_BYTES, true],
      [MAX_LINE_BYTES, true],
      [10, false],
      [1, false],
    ]);
  });

  it('splits a long line that arrives in small chunks, never holding more than the maximum', () => {
    const framer = new LineFramer('stderr');
    const frames: Frame[] = [];
    for (let i = 0; i < 300; i++) {
      frames.push(...framer.push(Buffer.alloc(1000, 'y')));
      expect(framer.pendingBytes).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
    frames.push(...framer.push(Buffer.from('\n')));
    const lines = decodeAll(encode(frames));
    expect(lines.map((l) => l.text).join('')).toBe('y'.repeat(300_000));
    expect(lines.slice(0, -1).every((l) => l.partial && l.text.length === MAX_LINE_BYTES)).toBe(true);
    expect(lines.at(-1)?.partial).toBeUndefined();
    expect(lines.every((l) => l.stream === 'stderr')).toBe(true);
  });

  it('never cuts a UTF-8 character in two', () => {
    const long = 'é'.repeat(MAX_LINE_BYTES); // 2 bytes each
    const lines = run([`${long}\n`]);
    expect(lines.every((l) => !l.text.includes('\ufffd'))).toBe(true);
    expect(lines.map((l) => l.text).join('')).toBe(long);
  });

  it('keeps frames under MAX_FRAME_BYTES for a large chunk of short lines', () => {
    const chunk = Buffer.from('0123456789abcdef\n'.repeat(100_000));
    const frames = new LineFramer('stdout').push(chunk);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.every((f) => f.length <= MAX_FRAME_BYTES)).toBe(true);
    expect(decodeAll(encode(frames))).toHaveLength(100_000);
  });
});

describe('framesForText', () => {
  it.each([
    { text: 'exited with code 1', want: ['exited with code 1'] },
    { text: 'two\nlines', want: ['two', 'lines'] },
    { text: 'trailing newline\n', want: ['trailing newline'] },
  ])('$text', ({ text, want }) => {
    expect(decodeAll(encode(framesForText('stderr', text))).map((l) => l.text)).toEqual(want);
  });
});

describe('parseTrailer', () => {
  const parse = (s: string) => parseTrailer(Buffer.from(s, 'latin1'), 0, s.length);
  it.each([
    { text: '\x1e1700000000000 o 12', want: { ts: 1_700_000_000_000, stream: 'stdout', partial: false, length: 12 } },
    { text: '\x1e5 E 1', want: { ts: 5, stream: 'stderr', partial: true, length: 1 } },
    { text: '1700000000000 o 12', want: null },
    { text: '\x1e1700000000000 x 12', want: null },
    { text: '\x1e1700000000000 o 0', want: null },
    { text: `\x1e1700000000000 o ${MAX_FRAME_BYTES + 1}`, want: null },
    { text: '\x1e17000 o 12 extra', want: null },
  ])('$text', ({ text, want }) => {
    expect(parse(text)).toEqual(want);
  });
});

describe('validEndIn', () => {
  const file = encode([...framesForText('stdout', 'one'), ...framesForText('stderr', 'two')]);
  it.each([
    { name: 'whole file', buf: file, want: file.length },
    { name: 'torn trailer', buf: file.subarray(0, file.length - 3), want: file.indexOf('two') },
    { name: 'torn data after a whole frame', buf: Buffer.concat([file, Buffer.from('partial li')]), want: file.length },
    { name: 'garbage only', buf: Buffer.from('hello\nworld\n'), want: 0 },
    { name: 'empty', buf: Buffer.alloc(0), want: 0 },
  ])('$name', ({ buf, want }) => {
    expect(validEndIn(buf, 0)).toBe(want);
  });
});

describe('utf8SafeCut', () => {
  it.each([
    { text: 'abcdef', end: 3, want: 3 },
    { text: 'aé', end: 2, want: 1 }, // would land on the continuation byte of é
    { text: 'a€b', end: 3, want: 1 }, // € is 3 bytes
    { text: 'a€b', end: 4, want: 4 },
  ])('$text at $end', ({ text, end, want }) => {
    expect(utf8SafeCut(Buffer.from(text), 0, end)).toBe(want);
  });
});
