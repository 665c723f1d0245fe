import { describe, expect, it } from 'vitest';
import { LineBatch, linesBatch } from '../runtime/line-batch.js';
import type { Frame } from '../runtime/log-record.js';
import { encodeLogBatch } from './log-ndjson.js';

const frame = (stream: 'stdout' | 'stderr', bytes: Buffer, partial = false): Frame => ({ stream, partial, parts: [bytes], length: bytes.length });
const expected = (batch: LineBatch, view: 'stdout' | 'stderr' | 'combined'): string =>
  batch
    .of(view)
    .lines.map((line) => `${JSON.stringify(line)}\n`)
    .join('');

describe('encodeLogBatch', () => {
  it.each([
    { name: 'plain ASCII lines', bytes: Buffer.from('one\ntwo\nthree\n') },
    { name: 'an empty line', bytes: Buffer.from('\n') },
    { name: 'quotes and backslashes', bytes: Buffer.from('say "hi"\nC:\\path\n') },
    { name: 'control characters, tab and carriage return', bytes: Buffer.from('a\tb\nc\rd\n\x1b[31mred\x1b[0m\n') },
    { name: 'UTF-8', bytes: Buffer.from('héllo wörld ✓ 🎉\n') },
    { name: 'invalid UTF-8 and NUL', bytes: Buffer.from([0x66, 0xff, 0xfe, 0x67, 0x0a, 0x78, 0x00, 0x79, 0x0a]) },
    { name: 'DEL and printable punctuation', bytes: Buffer.from('\x7f ~!@#$%^&*()_+{}|:<>?/.,;[]=-`\n') },
  ])('$name: exactly JSON.stringify of each line, per view', ({ bytes }) => {
    for (const partial of [false, true]) {
      const batch = LineBatch.ofWritten([frame('stdout', bytes, partial), frame('stderr', Buffer.from('err line\n'))], 1764752000123);
      for (const view of ['stdout', 'stderr', 'combined'] as const) {
        expect(encodeLogBatch(batch.of(view)).toString('utf8')).toBe(expected(batch, view));
      }
    }
  });

  it('encodes lines given as lines, and a batch once however often it is asked', () => {
    const batch = linesBatch([{ ts: 1, stream: 'stderr', text: '[sbx] dropped 3 lines' }]);
    expect(encodeLogBatch(batch).toString()).toBe('{"ts":1,"stream":"stderr","text":"[sbx] dropped 3 lines"}\n');
    expect(encodeLogBatch(batch)).toBe(encodeLogBatch(batch));
  });
});
