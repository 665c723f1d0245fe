// Reads stored lines back: frames are walked backwards from each file's end, so `tail N` reads only what it returns.

import { close, fstat, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import type { LogLine, LogView } from './log-store.js';
import { READ_WINDOW_BYTES, decodeFrame, frameEndingAt, type LocatedFrame } from './log-record.js';

const readAsync = promisify(read);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);

/** Files to read, newest first; `end` is where the file's whole frames stop, or null to find out. */
export interface LogFileSet {
  files: { fd: number; end: number | null }[];
}

/** In buf (the file's bytes from offset `start` to its end), the file offset after the last whole frame; 0 if none. */
export const validEndIn = (buf: Buffer, start: number): number => {
  let end = buf.length;
  while (end > 0) {
    const frame = frameEndingAt(buf, end);
    const chained =
      frame !== null &&
      (start + frame.dataStart === 0 || frameEndingAt(buf, frame.dataStart) !== null || (start > 0 && frame.dataStart < 64));
    if (chained) return start + end;
    const nl = end >= 2 ? buf.lastIndexOf(10, end - 2) : -1;
    if (nl === -1) break;
    end = nl + 1;
  }
  return 0;
};

/** The file offset after the last whole frame (a crash can leave a torn frame at the end). */
export const findValidEnd = (fd: number, size: number): number => {
  const start = Math.max(0, size - READ_WINDOW_BYTES);
  const buf = Buffer.allocUnsafe(size - start);
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return validEndIn(buf.subarray(0, got), start);
};

const readAt = async (fd: number, position: number, length: number): Promise<Buffer> => {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await readAsync(fd, buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
};

const validEndAsync = async (fd: number): Promise<number> => {
  const { size } = await fstatAsync(fd);
  if (size === 0) return 0;
  const start = Math.max(0, size - READ_WINDOW_BYTES);
  return validEndIn(await readAt(fd, start, size - start), start);
};

/** A frame and the buffer holding it. */
export interface FrameInBuffer {
  buf: Buffer;
  frame: LocatedFrame;
}

/** Frames of one file from newest to oldest, ending at byte `end`; stops early at a damaged frame. */
export async function* framesBackward(fd: number, end: number): AsyncGenerator<FrameInBuffer> {
  let e = end;
  while (e > 0) {
    const start = Math.max(0, e - READ_WINDOW_BYTES);
    const buf = await readAt(fd, start, e - start);
    let local = buf.length;
    while (local > 0) {
      const frame = frameEndingAt(buf, local);
      if (!frame) break;
      yield { buf, frame };
      local = frame.dataStart;
    }
    if (local === buf.length) return;
    e = start + local;
  }
}

/** Lines of the given view from the files, oldest first, only the last `tail` when given; closes the files. */
export const readLines = async (set: LogFileSet, view: LogView, tail?: number): Promise<LogLine[]> => {
  const newestFirst: LogLine[] = [];
  const full = (): boolean => tail !== undefined && newestFirst.length >= tail;
  try {
    for (const file of set.files) {
      if (full()) break;
      const end = file.end ?? (await validEndAsync(file.fd));
      for await (const { buf, frame } of framesBackward(file.fd, end)) {
        if (view !== 'combined' && frame.stream !== view) continue;
        const lines = decodeFrame(buf, frame);
        for (let i = lines.length - 1; i >= 0 && !full(); i--) newestFirst.push(lines[i] as LogLine);
        if (full()) break;
      }
    }
  } finally {
    await Promise.all(set.files.map((f) => closeAsync(f.fd).catch(() => undefined)));
  }
  return newestFirst.reverse();
};

/**
 * The frames in bytes [start, end) of a file, oldest first, when both ends are frame boundaries; null when the bytes
 * do not chain into whole frames from end back to start (a damaged stretch). Frames are found from the end backwards,
 * the only direction the format makes unambiguous (a unit can print bytes that look like a trailer).
 */
export const readFramesBetween = async (fd: number, start: number, end: number): Promise<{ buf: Buffer; frames: LocatedFrame[] } | null> => {
  const buf = await readAt(fd, start, end - start);
  if (buf.length !== end - start) return null;
  const frames: LocatedFrame[] = [];
  let local = buf.length;
  while (local > 0) {
    const frame = frameEndingAt(buf, local);
    if (!frame) return null;
    frames.push(frame);
    local = frame.dataStart;
  }
  return { buf, frames: frames.reverse() };
};
