// Lines handed to followers in batches: each view's selection is made once and the same batch reaches every follower
// of that view, so what a consumer derives from it (the API's encoded NDJSON) is made once too. A batch read from the
// files or a pipe keeps its raw frames, so a consumer can encode straight from the bytes.

import { decodeFrame, type Frame, type LocatedFrame } from './log-record.js';
import type { LogLine, LogView } from './log-store.js';

/** Frames as read: the bytes and where each frame's lines lie in them. */
export interface RawFrames {
  buf: Buffer;
  frames: readonly LocatedFrame[];
}

/** What a follower is handed: lines of its view and, when they came from frames, those frames (exactly those lines). */
export interface LogBatch {
  readonly lines: readonly LogLine[];
  readonly raw?: readonly RawFrames[];
}

/** A batch of lines given as lines (history, markers): no raw form. */
export const linesBatch = (lines: readonly LogLine[]): LogBatch => ({ lines });

/** A view's part of a LineBatch: lines decoded on first use. */
class ViewBatch implements LogBatch {
  #lines: LogLine[] | null = null;

  constructor(readonly raw: readonly RawFrames[]) {}

  get lines(): readonly LogLine[] {
    this.#lines ??= this.raw.flatMap(({ buf, frames }) => frames.flatMap((frame) => decodeFrame(buf, frame)));
    return this.#lines;
  }
}

/** Raw frames of all streams with their per-view batches, each made at most once. */
export class LineBatch {
  #byView = new Map<LogView, LogBatch>();

  constructor(readonly raw: readonly RawFrames[]) {}

  /**
   * Frames just written (stamped ts), as one batch. Their bytes are copied: a frame's parts are views of the pipe's
   * read buffer, which the next read overwrites, and a batch may be read later (lines are decoded on first use).
   */
  static ofWritten(frames: readonly Frame[], ts: number): LineBatch {
    return new LineBatch(
      frames.map((frame) => ({
        buf: Buffer.concat(frame.parts, frame.length),
        frames: [{ ts, stream: frame.stream, partial: frame.partial, length: frame.length, dataStart: 0 }],
      })),
    );
  }

  /** The batch of one view, shared by every caller (empty when no frame matches). */
  of(view: LogView): LogBatch {
    let batch = this.#byView.get(view);
    if (!batch) {
      const raw =
        view === 'combined'
          ? this.raw
          : this.raw.map(({ buf, frames }) => ({ buf, frames: frames.filter((f) => f.stream === view) })).filter((r) => r.frames.length > 0);
      batch = new ViewBatch(raw);
      this.#byView.set(view, batch);
    }
    return batch;
  }
}

/** Whether a batch holds no line (without decoding it). */
export const isEmptyBatch = (batch: LogBatch): boolean => (batch.raw ? batch.raw.every((r) => r.frames.length === 0) : batch.lines.length === 0);
