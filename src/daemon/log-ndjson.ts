// A batch of log lines as the API's NDJSON bytes, made once per batch (every follower of a view shares its batches).
// Frames of plain ASCII text are encoded straight from their bytes, a few native string calls per frame; other frames
// go line by line through JSON.stringify. Both give exactly JSON.stringify(line) for each line.

import type { LogBatch } from '../runtime/line-batch.js';
import type { LocatedFrame } from '../runtime/log-record.js';
import { decodeFrame } from '../runtime/log-record.js';
import { lineOf } from './ndjson-writer.js';

/** Bytes that JSON must escape, or that are not ASCII (and so need UTF-8 decoding, invalid bytes becoming U+FFFD). */
const NOT_PLAIN = /[\x00-\x09\x0b-\x1f"\\\x80-\xff]/;

const encoded = new WeakMap<LogBatch, Buffer>();

/** One frame's lines as NDJSON text. */
const frameText = (buf: Buffer, frame: LocatedFrame): string => {
  const text = buf.toString('latin1', frame.dataStart, frame.dataStart + frame.length - 1);
  if (NOT_PLAIN.test(text)) return decodeFrame(buf, frame).map(lineOf).join('');
  const head = `{"ts":${frame.ts},"stream":"${frame.stream}","text":"`;
  return `${head}${text.replaceAll('\n', `"}\n${head}`)}${frame.partial ? '","partial":true}\n' : '"}\n'}`;
};

/** The batch's lines as NDJSON, one JSON object per line, in order. */
export const encodeLogBatch = (batch: LogBatch): Buffer => {
  let bytes = encoded.get(batch);
  if (bytes === undefined) {
    // Frame by frame into one buffer: no string of the whole batch is made (it would land in V8's large-object space).
    const texts = batch.raw ? batch.raw.flatMap(({ buf, frames }) => frames.map((frame) => frameText(buf, frame))) : batch.lines.map(lineOf);
    bytes = Buffer.allocUnsafe(texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0));
    let at = 0;
    for (const text of texts) at += bytes.write(text, at);
    encoded.set(batch, bytes);
  }
  return bytes;
};
