// A follower that fell behind reads on from the files, at its consumer's pace: the daemon queues nothing for it, and
// it misses lines only when rotation removed a file before it got there (then it is told how many files it missed).
//
// Frames can only be told apart reading backwards from a known frame end (see log-record.ts), so the reader keeps
// the ends of recent writes (FrameBoundaries) and reads from its position to the next known end, one chunk at a time.

import { close } from 'node:fs';
import { promisify } from 'node:util';
import { readFramesBetween } from './log-file-reader.js';
import { isEmptyBatch, LineBatch, linesBatch, type LogBatch } from './line-batch.js';
import type { FollowFlow, LogLine, LogView } from './log-store.js';
import type { CommitPosition, OpenLogFile } from './unit-log-writer.js';

const closeAsync = promisify(close);

/** Bytes between the write ends a FrameBoundaries keeps: the size of a catch-up read, give or take one write. */
export const BOUNDARY_SPACING = 64 * 1024;

/** A place in a unit's log: byte `offset` (a frame boundary) of the file with sequence number `seq`. */
export interface LogPosition {
  seq: number;
  offset: number;
}

/** Known frame ends of a unit's recent files, at least BOUNDARY_SPACING apart, for reading forward in chunks. */
export class FrameBoundaries {
  #ends = new Map<number, number[]>();

  /** Notes where a write ended; keeps files within `keepFiles` of the newest. */
  record(at: CommitPosition, keepFiles: number): void {
    let ends = this.#ends.get(at.seq);
    if (!ends) {
      ends = [];
      this.#ends.set(at.seq, ends);
      for (const seq of this.#ends.keys()) if (seq <= at.seq - keepFiles) this.#ends.delete(seq);
    }
    const last = ends.at(-1) ?? 0;
    if (at.end - last >= BOUNDARY_SPACING) ends.push(at.end);
  }

  /** The first known frame end after `offset` in file `seq`, or null. */
  after(seq: number, offset: number): number | null {
    for (const end of this.#ends.get(seq) ?? []) if (end > offset) return end;
    return null;
  }
}

/** Chunks a ChunkCache keeps: followers catching up together read the same chunks (their ends are the same boundaries). */
export const CACHED_CHUNKS = 8;

/**
 * The last few chunks read, shared by a unit's catching-up followers: each chunk is read once, and every follower of a
 * view gets the same batch (which the API then encodes once, daemon/log-ndjson.ts).
 */
export class ChunkCache {
  #chunks = new Map<string, Promise<LineBatch | null>>();

  /** The lines of bytes [start, end) of file `seq`, or null when they are not whole frames. */
  lines(seq: number, start: number, end: number, fd: number): Promise<LineBatch | null> {
    const key = `${seq}:${start}:${end}`;
    let chunk = this.#chunks.get(key);
    if (!chunk) {
      chunk = readFramesBetween(fd, start, end).then((read) => (read ? new LineBatch([read]) : null));
      this.#chunks.set(key, chunk);
      if (this.#chunks.size > CACHED_CHUNKS) this.#chunks.delete(this.#chunks.keys().next().value as string);
      chunk.catch(() => this.#chunks.delete(key));
    }
    return chunk;
  }
}

/** What a catching-up follower reads from: the unit's writer. */
export interface LogFiles {
  readonly seq: number;
  readonly size: number;
  readonly maxFiles: number;
  openFile(seq: number): OpenLogFile | null;
}

/** The line that stands for files rotated out before a follower read them. */
export const rotatedOutMarker = (view: LogView, files: number, ts: number): LogLine => ({
  ts,
  stream: view === 'combined' ? 'stderr' : view,
  text: `[sbx] dropped the lines of ${files} log file${files === 1 ? '' : 's'}: rotated out before this reader got to them (reader too slow)`,
});

/** The line that stands for bytes that did not read back as whole frames. */
export const unreadableMarker = (view: LogView, bytes: number, ts: number): LogLine => ({
  ts,
  stream: view === 'combined' ? 'stderr' : view,
  text: `[sbx] dropped ${bytes} bytes of log that could not be read back as whole lines`,
});

/** One follower's catch-up: deliver() everything from `from` to the writer's end in batches, then call caughtUp() in that same turn. */
export interface CatchUpJob {
  files: LogFiles;
  boundaries: FrameBoundaries;
  chunks: ChunkCache;
  view: LogView;
  flow: FollowFlow;
  from: LogPosition;
  deliver(batch: LogBatch): void;
  /** Called synchronously once the position reached the writer's end: lines written after it come live. */
  caughtUp(): void;
  /** True once the follower stopped (the loop ends at its next step). */
  stopped(): boolean;
  now(): number;
}

/** Runs a catch-up until the follower is level with the writer or stopped. */
export const catchUp = async (job: CatchUpJob): Promise<void> => {
  const at = { ...job.from };
  while (!job.stopped()) {
    if (!job.flow.hasRoom()) {
      await job.flow.waitRoom();
      continue;
    }
    const { files } = job;
    if (at.seq === files.seq && at.offset >= files.size) {
      job.caughtUp();
      return;
    }
    const oldest = files.seq - files.maxFiles + 1;
    if (at.seq < oldest) {
      job.deliver(linesBatch([rotatedOutMarker(job.view, oldest - at.seq, job.now())]));
      at.seq = oldest;
      at.offset = 0;
      continue;
    }
    const file = files.openFile(at.seq);
    if (!file) {
      // Rotated out between the check and the open cannot happen (same turn); a file that is missing outright can.
      job.deliver(linesBatch([rotatedOutMarker(job.view, 1, job.now())]));
      at.seq++;
      at.offset = 0;
      continue;
    }
    try {
      if (at.offset >= file.end) {
        at.seq++;
        at.offset = 0;
        continue;
      }
      const known = job.boundaries.after(at.seq, at.offset);
      const end = known !== null && known < file.end ? known : file.end;
      const batch = await job.chunks.lines(at.seq, at.offset, end, file.fd);
      if (job.stopped()) return;
      if (batch === null) job.deliver(linesBatch([unreadableMarker(job.view, end - at.offset, job.now())]));
      else if (!isEmptyBatch(batch.of(job.view))) job.deliver(batch.of(job.view));
      at.offset = end;
    } finally {
      await closeAsync(file.fd).catch(() => undefined);
    }
  }
};
