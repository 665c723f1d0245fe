import { describe, expect, it } from 'vitest';
import { isEmptyBatch, LineBatch, linesBatch } from './line-batch.js';
import type { Frame } from './log-record.js';

const frame = (stream: 'stdout' | 'stderr', text: string, partial = false): Frame => {
  const bytes = Buffer.from(text);
  return { stream, partial, parts: [bytes.subarray(0, 2), bytes.subarray(2)], length: bytes.length };
};

describe('LineBatch', () => {
  const batch = LineBatch.ofWritten([frame('stdout', 'a1\na2\n'), frame('stderr', 'e1\n'), frame('stdout', 'long-start\n', true)], 42);

  it.each([
    { view: 'combined' as const, texts: ['a1', 'a2', 'e1', 'long-start'] },
    { view: 'stdout' as const, texts: ['a1', 'a2', 'long-start'] },
    { view: 'stderr' as const, texts: ['e1'] },
  ])('the $view view holds its lines in order, stamped, the fragment marked', ({ view, texts }) => {
    const lines = batch.of(view).lines;
    expect(lines.map((l) => l.text)).toEqual(texts);
    expect(lines.every((l) => l.ts === 42)).toBe(true);
    expect(lines.filter((l) => l.partial).map((l) => l.text)).toEqual(texts.includes('long-start') ? ['long-start'] : []);
  });

  it('keeps its own copy of the written bytes (the pipe read buffer they came from is reused)', () => {
    const bytes = Buffer.from('kept\n');
    const written = LineBatch.ofWritten([{ stream: 'stdout', partial: false, parts: [bytes], length: bytes.length }], 1);
    bytes.write('XXXX');
    expect(written.of('stdout').lines.map((l) => l.text)).toEqual(['kept']);
  });

  it('hands out one shared batch per view, decoded once', () => {
    expect(batch.of('stdout')).toBe(batch.of('stdout'));
    expect(batch.of('stdout').lines).toBe(batch.of('stdout').lines);
  });

  it.each([
    { name: 'a view with no frame', batch: LineBatch.ofWritten([frame('stdout', 'x\n')], 1).of('stderr'), empty: true },
    { name: 'a view with frames', batch: LineBatch.ofWritten([frame('stdout', 'x\n')], 1).of('stdout'), empty: false },
    { name: 'no lines', batch: linesBatch([]), empty: true },
    { name: 'a line', batch: linesBatch([{ ts: 1, stream: 'stderr', text: 'm' }]), empty: false },
  ])('isEmptyBatch: $name', ({ batch, empty }) => {
    expect(isEmptyBatch(batch)).toBe(empty);
  });
});
