// Appends one unit's frames to its active log file, rotating by size; the single writer of that unit's files.
//
// Writes are synchronous (writev on a regular file, one call per read chunk): nothing read from a unit waits in
// memory for an async write, so the daemon's memory stays flat under a flood and a crash loses almost nothing.
// When the disk refuses a write (ENOSPC, EIO) the frame is dropped, the file is cut back to its last whole frame,
// and a "[sbx] lost N lines" note is written as soon as the disk accepts writes again.

import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, writevSync } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import { encodeTrailer, framesForText, type Frame } from './log-record.js';
import { findValidEnd, type LogFileSet } from './log-file-reader.js';
import { logGenerations, rotateFiles, type RotationPolicy } from './log-rotation.js';

const IOV_MAX = 1024;

/** Where committed frames lie: bytes [start, end) of the file with sequence number `seq` (both ends frame boundaries). */
export interface CommitPosition {
  seq: number;
  start: number;
  end: number;
}

/** Called after frames reached the file, once per write (for followers). */
export type CommitListener = (frames: Frame[], ts: number, at: CommitPosition) => void;

/** One of the writer's files opened for reading, and where its whole frames end. */
export interface OpenLogFile {
  fd: number;
  end: number;
}

/** The writer for one unit's directory. */
export class UnitLogWriter {
  #fd: number;
  #size: number;
  /** The active file's sequence number: 0 for the file open when the writer started, +1 per rotation. */
  #seq = 0;
  #lostLines = 0;
  #lostReason = '';

  constructor(
    readonly dir: string,
    private readonly rotation: RotationPolicy,
    private readonly logger: Logger,
    private readonly onCommit: CommitListener,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { fd, size } = this.#openActive();
    this.#fd = fd;
    this.#size = size;
  }

  /** Bytes in the active file (always at a frame boundary). */
  get size(): number {
    return this.#size;
  }

  /** The active file's sequence number (files rotated out since this writer started have smaller ones). */
  get seq(): number {
    return this.#seq;
  }

  /** How many files the rotation keeps (the active one included). */
  get maxFiles(): number {
    return this.rotation.maxFiles;
  }

  /**
   * Opens the file with sequence number `seq` for reading, or null when it is no longer kept (or not made yet). Call it
   * in the same turn as reading `seq`: the open is synchronous, so no rotation can come between the two.
   */
  openFile(seq: number): OpenLogFile | null {
    const age = this.#seq - seq;
    if (age < 0 || age >= this.rotation.maxFiles) return null;
    const path = logGenerations(this.dir, this.rotation.maxFiles)[age] as string;
    try {
      const fd = openSync(path, 'r');
      return { fd, end: age === 0 ? this.#size : fstatSync(fd).size };
    } catch {
      return null;
    }
  }

  /** Writes frames stamped with ts, rotating first whenever a frame would overflow the active file. */
  append(frames: Frame[], ts: number): void {
    if (frames.length === 0) return;
    // After a loss, the notice goes in the same write as the next lines: both land, or neither (no notice spam).
    const reported = this.#lostLines;
    const notice = reported > 0 ? framesForText('stderr', `[sbx] lost ${reported} lines: could not write the log (${this.#lostReason})`) : [];
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let batchFrames: Frame[] = [];
    const flush = (): void => {
      if (batchBytes > 0) {
        const start = this.#size;
        if (this.#write(batch, batchBytes)) {
          this.onCommit(batchFrames, ts, { seq: this.#seq, start, end: this.#size });
          if (notice.length > 0 && batchFrames[0] === notice[0]) this.#lostLines -= reported;
        } else {
          this.#lostLines += countLines(batchFrames.filter((f) => !notice.includes(f)));
        }
      }
      batch = [];
      batchBytes = 0;
      batchFrames = [];
    };
    for (const frame of [...notice, ...frames]) {
      const trailer = encodeTrailer(frame, ts);
      const bytes = frame.length + trailer.length;
      if (this.#size + batchBytes > 0 && this.#size + batchBytes + bytes > this.rotation.maxFileBytes) {
        flush();
        this.#rotate();
      }
      batch.push(...frame.parts, trailer);
      batchBytes += bytes;
      batchFrames.push(frame);
    }
    flush();
  }

  /** Opens every retained file for reading; the active file is cut at the last whole frame written. */
  snapshot(): LogFileSet {
    const files: LogFileSet['files'] = [];
    logGenerations(this.dir, this.rotation.maxFiles).forEach((path, i) => {
      try {
        files.push({ fd: openSync(path, 'r'), end: i === 0 ? this.#size : null });
      } catch {
        // a generation that does not exist yet
      }
    });
    return { files };
  }

  close(): void {
    closeSync(this.#fd);
  }

  #openActive(): { fd: number; size: number } {
    const path = logGenerations(this.dir, 1)[0] as string;
    const fd = openSync(path, 'a+', 0o600);
    const size = fstatSync(fd).size;
    const valid = size === 0 ? 0 : findValidEnd(fd, size);
    if (valid < size) {
      ftruncateSync(fd, valid);
      this.logger.warn({ path, dropped: size - valid }, 'log file ended in a torn frame; cut back to the last whole frame');
    }
    return { fd, size: valid };
  }

  #rotate(): void {
    let rotated = false;
    try {
      closeSync(this.#fd);
      rotateFiles(this.dir, this.rotation.maxFiles);
      rotated = true;
    } catch (error) {
      this.logger.error({ dir: this.dir, err: error }, 'log rotation failed; continuing in the active file');
    }
    const { fd, size } = this.#openActive();
    this.#fd = fd;
    this.#size = size;
    if (rotated) this.#seq++;
  }

  /** One write; on failure the file is cut back to its last whole frame and the caller counts the loss. */
  #write(buffers: Buffer[], bytes: number): boolean {
    try {
      writeAll(this.#fd, buffers, bytes);
      this.#size += bytes;
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      if (this.#lostLines === 0) this.logger.error({ dir: this.dir, code }, 'cannot write unit log; dropping lines until it can');
      this.#lostReason = code;
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        // the next successful write starts after a torn tail; readers and the next open skip it
      }
      return false;
    }
  }
}

/** writev until every byte is written (regular files may take fewer bytes than asked). */
const writeAll = (fd: number, buffers: Buffer[], total: number): void => {
  let rest = buffers;
  let left = total;
  while (left > 0) {
    const slice = rest.length > IOV_MAX ? rest.slice(0, IOV_MAX) : rest;
    let written = writevSync(fd, slice);
    left -= written;
    let i = 0;
    while (i < rest.length && written >= (rest[i] as Buffer).length) written -= (rest[i++] as Buffer).length;
    rest = rest.slice(i);
    if (written > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(written);
  }
};

/** Number of lines in frames (for the "lost N lines" note). */
const countLines = (frames: Frame[]): number => {
  let n = 0;
  for (const frame of frames) {
    for (const part of frame.parts) {
      let i = -1;
      while ((i = part.indexOf(10, i + 1)) !== -1) n++;
    }
  }
  return n;
};
