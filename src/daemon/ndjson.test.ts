import { describe, expect, it } from 'vitest';
import { NdjsonError, NdjsonSplitter } from './ndjson.js';

describe('NdjsonSplitter', () => {
  it.each([
    ['whole lines', ['{"a":1}\n{"a":2}\n'], [{ a: 1 }, { a: 2 }]],
    ['a value split across chunks', ['{"a"', ':1}\n{"b":', '2}\n'], [{ a: 1 }, { b: 2 }]],
    ['a chunk per byte', [...'{"x":"é"}\n'], [{ x: 'é' }]],
    ['blank lines', ['\n\n{"a":1}\n\n'], [{ a: 1 }]],
    ['a last line without newline', ['{"a":1}\n{"a":2}'], [{ a: 1 }, { a: 2 }]],
    ['nothing', [''], []],
  ])('%s', (_label, chunks, values) => {
    const splitter = new NdjsonSplitter();
    const out = chunks.flatMap((c) => splitter.push(c));
    out.push(...splitter.end());
    expect(out).toEqual(values);
  });

  it('rejects a line that is not JSON, quoting it', () => {
    const splitter = new NdjsonSplitter();
    expect(() => splitter.push('{"a":1}\nnot json\n')).toThrow(NdjsonError);
  });
});
