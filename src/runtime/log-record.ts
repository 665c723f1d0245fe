// The on-disk log format and the line splitter: pure Buffer code, so the flood path costs O(1) calls per read chunk.
//
// A log file is a sequence of frames. A frame is the bytes of one or more whole lines of one stream, as one read
// delivered them (each line ends in '\n'), followed by a one-line trailer:
//
//     <line>\n<line>\n...\x1e<ms since epoch> <flag> <byte length of the lines>\n
//
// flag is `o` (stdout) or `e` (stderr); upper case (`O`, `E`) marks the frame's last line as a fragment that the next
// frame of the same stream continues (a line longer than MAX_LINE_BYTES, or a line cut when a daemon let go of a run).
// Trailers sit at the end, so the newest lines (tail N) are found by reading backwards from the end of the file.

import type { LogLine, LogStream } from './log-store.js';

/** Longest line kept whole, in bytes without its newline; longer lines are split into flagged fragments. */
export const MAX_LINE_BYTES = 64 * 1024;

/** Largest frame payload; a reader window of READ_WINDOW_BYTES always holds a whole frame. */
export const MAX_FRAME_BYTES = 256 * 1024;

/** Window size for reading frames backwards (> MAX_FRAME_BYTES + trailer). */
export const READ_WINDOW_BYTES = 1024 * 1024;

const NL = 10;
const RS = 0x1e;
const NEWLINE = Buffer.from('\n');

/** Lines of one stream ready to be written as one frame; `parts` hold exactly `length` bytes ending in '\n'. */
export interface Frame {
  stream: LogStream;
  /** True when the last line continues in the next frame of the same stream. */
  partial: boolean;
  parts: Buffer[];
  length: number;
}

/** Builds the trailer that closes a frame. */
export const encodeTrailer = (frame: Frame, ts: number): Buffer => {
  const flag = frame.stream === 'stdout' ? 'o' : 'e';
  return Buffer.from(`\x1e${ts} ${frame.partial ? flag.toUpperCase() : flag} ${frame.length}\n`, 'latin1');
};

/** A trailer read back from disk. */
export interface Trailer {
  ts: number;
  stream: LogStream;
  partial: boolean;
  length: number;
}

/** Parses the trailer occupying buf[start, end) (end excludes its '\n'); null when it is not a trailer. */
export const parseTrailer = (buf: Buffer, start: number, end: number): Trailer | null => {
  if (end - start < 6 || end - start > 40 || buf[start] !== RS) return null;
  const fields = buf.toString('latin1', start + 1, end).split(' ');
  if (fields.length !== 3) return null;
  const [tsText, flag, lengthText] = fields as [string, string, string];
  if (!/^\d{1,15}$/.test(tsText) || !/^\d{1,7}$/.test(lengthText)) return null;
  const stream = flag === 'o' || flag === 'O' ? 'stdout' : flag === 'e' || flag === 'E' ? 'stderr' : null;
  const length = Number(lengthText);
  if (!stream || length < 1 || length > MAX_FRAME_BYTES) return null;
  return { ts: Number(tsText), stream, partial: flag === 'O' || flag === 'E', length };
};

/** A frame located in a buffer: its lines are buf[dataStart, dataStart + trailer.length). */
export interface LocatedFrame extends Trailer {
  dataStart: number;
}

/** Finds the frame whose trailer ends just before `end` in buf (buf[end-1] is its '\n'); null if there is none. */
export const frameEndingAt = (buf: Buffer, end: number, floor = 0): LocatedFrame | null => {
  if (end - 1 < floor || buf[end - 1] !== NL) return null;
  const trailerStart = end - 2 < floor ? -1 : buf.lastIndexOf(NL, end - 2) + 1;
  if (trailerStart < floor) return null;
  const trailer = parseTrailer(buf, trailerStart, end - 1);
  if (!trailer) return null;
  const dataStart = trailerStart - trailer.length;
  if (dataStart < floor || buf[trailerStart - 1] !== NL) return null;
  return { ...trailer, dataStart };
};

/** Splits a frame's bytes into lines; the last line carries `partial` when the frame is a fragment. */
export const decodeFrame = (buf: Buffer, frame: LocatedFrame): LogLine[] => {
  const lines: LogLine[] = [];
  const end = frame.dataStart + frame.length;
  let start = frame.dataStart;
  while (start < end) {
    const nl = buf.indexOf(NL, start);
    const stop = nl === -1 || nl >= end ? end : nl;
    const line: LogLine = { ts: frame.ts, stream: frame.stream, text: buf.toString('utf8', start, stop) };
    start = stop + 1;
    if (frame.partial && start >= end) line.partial = true;
    lines.push(line);
  }
  return lines;
};

/** Where to cut a too-long line at or before `end` without splitting a UTF-8 character. */
export const utf8SafeCut = (buf: Buffer, start: number, end: number): number => {
  let cut = end;
  while (cut > start + 1 && end - cut < 3 && cut < buf.length && ((buf[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut;
};

/** Collects line segments into frames of at most MAX_FRAME_BYTES. */
class FrameBuilder {
  readonly frames: Frame[] = [];
  #open: Frame | null = null;

  constructor(private readonly stream: LogStream) {}

  /** Adds whole lines (bytes ending in '\n'). */
  lines(parts: Buffer[], length: number): void {
    let frame = this.#open;
    if (!frame || frame.length + length > MAX_FRAME_BYTES) {
      frame = { stream: this.stream, partial: false, parts: [], length: 0 };
      this.frames.push(frame);
      this.#open = frame;
    }
    frame.parts.push(...parts);
    frame.length += length;
  }

  /** Adds a fragment of a line; it closes the frame, which is flagged partial. */
  fragment(bytes: Buffer): void {
    this.lines([bytes, NEWLINE], bytes.length + 1);
    (this.#open as Frame).partial = true;
    this.#open = null;
  }
}

/** Turns one stream's raw bytes into frames, holding back at most one incomplete line (≤ MAX_LINE_BYTES). */
export class LineFramer {
  #carry: Buffer[] = [];
  #carryLength = 0;

  constructor(readonly stream: LogStream) {}

  /** Bytes of an incomplete line held in memory. */
  get pendingBytes(): number {
    return this.#carryLength;
  }

  /** Frames for the whole lines a chunk completes. */
  push(chunk: Buffer): Frame[] {
    const out = new FrameBuilder(this.stream);
    let pos = 0;
    if (this.#carryLength > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.#hold(chunk);
        this.#spillOverlong(out);
        return out.frames;
      }
      this.#hold(chunk.subarray(0, nl));
      this.#emitCarry(out, false);
      pos = nl + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= pos) {
      emitWholeLines(out, chunk, pos, last + 1);
      pos = last + 1;
    }
    if (pos < chunk.length) {
      this.#hold(chunk.subarray(pos));
      this.#spillOverlong(out);
    }
    return out.frames;
  }

  /** At end of output: the held line (no trailing newline) is a whole line. */
  end(): Frame[] {
    return this.#flush(false);
  }

  /** When letting go of a run that continues elsewhere: the held bytes become a fragment. */
  cut(): Frame[] {
    return this.#flush(true);
  }

  #flush(asFragment: boolean): Frame[] {
    const out = new FrameBuilder(this.stream);
    if (this.#carryLength > 0) this.#emitCarry(out, asFragment);
    return out.frames;
  }

  /** Keeps a copy: the chunk a caller pushed may be reused for the next read as soon as push() returns. */
  #hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#carry.push(Buffer.from(bytes));
    this.#carryLength += bytes.length;
  }

  #take(): Buffer {
    const whole = this.#carry.length === 1 ? (this.#carry[0] as Buffer) : Buffer.concat(this.#carry, this.#carryLength);
    this.#carry = [];
    this.#carryLength = 0;
    return whole;
  }

  /** Emits fragments while the held line is longer than the maximum. */
  #spillOverlong(out: FrameBuilder): void {
    if (this.#carryLength <= MAX_LINE_BYTES) return;
    const whole = this.#take();
    let p = 0;
    while (whole.length - p > MAX_LINE_BYTES) {
      const cut = utf8SafeCut(whole, p, p + MAX_LINE_BYTES);
      out.fragment(whole.subarray(p, cut));
      p = cut;
    }
    this.#hold(whole.subarray(p));
  }

  /** Emits the held line (split if too long); the last piece is a fragment when `asFragment`. */
  #emitCarry(out: FrameBuilder, asFragment: boolean): void {
    const whole = this.#take();
    let p = 0;
    while (whole.length - p > MAX_LINE_BYTES) {
      const cut = utf8SafeCut(whole, p, p + MAX_LINE_BYTES);
      out.fragment(whole.subarray(p, cut));
      p = cut;
    }
    if (asFragment) out.fragment(whole.subarray(p));
    else out.lines([whole.subarray(p), NEWLINE], whole.length - p + 1);
  }
}

/** Adds chunk[from, to) (whole lines) to frames, splitting any line longer than MAX_LINE_BYTES. */
const emitWholeLines = (out: FrameBuilder, chunk: Buffer, from: number, to: number): void => {
  let p = from;
  while (p < to) {
    const windowEnd = Math.min(to, p + MAX_LINE_BYTES + 1);
    if (windowEnd === to) {
      out.lines([chunk.subarray(p, to)], to - p);
      return;
    }
    const q = chunk.lastIndexOf(NL, windowEnd - 1);
    if (q >= p) {
      out.lines([chunk.subarray(p, q + 1)], q + 1 - p);
      p = q + 1;
    } else {
      const cut = utf8SafeCut(chunk, p, p + MAX_LINE_BYTES);
      out.fragment(chunk.subarray(p, cut));
      p = cut;
    }
  }
};

/** Frames for text sbx writes itself: one line per '\n'-separated part. */
export const framesForText = (stream: LogStream, text: string): Frame[] => {
  const framer = new LineFramer(stream);
  const body = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
  return [...framer.push(body), ...framer.end()];
};
