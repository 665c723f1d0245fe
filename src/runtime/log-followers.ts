// Live delivery of new lines to followers, never holding memory for a slow one: a follower with back-pressure (a
// FollowFlow) goes on from the files at its own pace (log-catch-up.ts); one without has a bounded queue and is told
// what it lost.

import { Readable } from 'node:stream';
import type { Logger } from '../shared/logger.js';
import { isEmptyBatch, LineBatch, linesBatch, type LogBatch } from './line-batch.js';
import { catchUp, ChunkCache, FrameBoundaries, type LogFiles, type LogPosition } from './log-catch-up.js';
import type { FollowFlow, LogLine, LogQuery, LogStore, LogView } from './log-store.js';
import type { CommitPosition } from './unit-log-writer.js';

/** Live lines a follower may have waiting while its history is read; beyond that they are dropped and counted. */
export const DEFAULT_FOLLOW_BUFFER_LINES = 10_000;

/** The line that replaces lines a follower missed. */
export const droppedMarker = (view: LogView, dropped: number, ts: number): LogLine => ({
  ts,
  stream: view === 'combined' ? 'stderr' : view,
  text: `[sbx] dropped ${dropped} lines (reader too slow)`,
});

interface Follower {
  view: LogView;
  onBatch: (batch: LogBatch) => void;
  /** With back-pressure: never queued for, catches up from the files instead. */
  flow: FollowFlow | undefined;
  live: boolean;
  queue: LogLine[];
  dropped: number;
}

/** A follower's handle: start() hands it its history (and, with a flow, the log position that history ends at). */
export interface FollowerHandle {
  start(history: LogLine[], from?: LogPosition): void;
  stop(): void;
}

/** The followers of one unit. */
export class FollowerSet {
  #followers = new Set<Follower>();
  readonly #boundaries = new FrameBoundaries();
  readonly #chunks = new ChunkCache();

  constructor(
    private readonly limit: number,
    private readonly logger: Logger,
    /** The unit's files, for followers that fall behind. */
    private readonly files: () => LogFiles,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#followers.size;
  }

  /**
   * Registers a follower. Without a flow it queues live lines (bounded) until start() hands it its history; with one it
   * ignores them and, after its history, reads from the position start() gives up to the live end.
   */
  add(view: LogView, onBatch: (batch: LogBatch) => void, flow?: FollowFlow): FollowerHandle {
    const follower: Follower = { view, onBatch, flow, live: false, queue: [], dropped: 0 };
    this.#followers.add(follower);
    return {
      start: (history, from) => {
        if (!this.#followers.has(follower)) return;
        if (history.length > 0) this.#deliver(follower, linesBatch(history));
        if (follower.flow) {
          this.#catchUp(follower, from ?? { seq: this.files().seq, offset: this.files().size });
          return;
        }
        if (follower.dropped > 0) this.#deliver(follower, linesBatch([droppedMarker(view, follower.dropped, follower.queue[0]?.ts ?? Date.now())]));
        const queued = follower.queue;
        follower.queue = [];
        follower.dropped = 0;
        if (queued.length > 0) this.#deliver(follower, linesBatch(queued));
        follower.live = true;
      },
      stop: () => {
        this.#followers.delete(follower);
      },
    };
  }

  /** Notes where a write landed in the files (call for every write, followed or not, while the set exists). */
  record(at: CommitPosition): void {
    this.#boundaries.record(at, this.files().maxFiles + 1);
  }

  /** Hands the lines of one write (at `at`) to every follower whose view matches. */
  publish(batch: LineBatch, at: CommitPosition): void {
    for (const follower of this.#followers) {
      if (follower.flow && follower.live && !follower.flow.hasRoom()) {
        // Its consumer is full: it goes on from this write's place in the files when it has room.
        follower.live = false;
        this.#catchUp(follower, { seq: at.seq, offset: at.start });
        continue;
      }
      if (follower.flow && !follower.live) continue;
      const mine = batch.of(follower.view);
      if (isEmptyBatch(mine)) continue;
      if (follower.live) {
        this.#deliver(follower, mine);
        continue;
      }
      for (const line of mine.lines) {
        if (follower.queue.length < this.limit) follower.queue.push(line);
        else follower.dropped++;
      }
    }
  }

  clear(): void {
    this.#followers.clear();
  }

  #catchUp(follower: Follower, from: LogPosition): void {
    catchUp({
      files: this.files(),
      boundaries: this.#boundaries,
      chunks: this.#chunks,
      view: follower.view,
      flow: follower.flow as FollowFlow,
      from,
      deliver: (batch) => this.#deliver(follower, batch),
      caughtUp: () => {
        follower.live = true;
      },
      stopped: () => !this.#followers.has(follower),
      now: this.now,
    }).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'log follower could not read on from the files; unsubscribed it');
      this.#deliver(follower, linesBatch([{ ts: this.now(), stream: 'stderr', text: `[sbx] stopped following: could not read the log files (${String(error)})` }]));
      this.#followers.delete(follower);
    });
  }

  #deliver(follower: Follower, batch: LogBatch): void {
    if (!this.#followers.has(follower)) return;
    try {
      follower.onBatch(batch);
    } catch (error) {
      this.#followers.delete(follower);
      this.logger.warn({ err: error }, 'log follower threw; unsubscribed it');
    }
  }
}

/**
 * Follows a unit's log as an object-mode Readable that buffers at most maxBuffered lines: when its consumer falls
 * behind, further lines are dropped and a "[sbx] dropped N lines" line takes their place. Destroy it to stop.
 */
export const followAsStream = (
  store: Pick<LogStore, 'follow'>,
  unit: string,
  query: LogQuery,
  maxBuffered = 1000,
): Readable => {
  let stop = (): void => undefined;
  let dropped = 0;
  const readable = new Readable({
    objectMode: true,
    highWaterMark: maxBuffered,
    read() {},
    destroy(error, callback) {
      stop();
      callback(error);
    },
  });
  stop = store.follow(unit, query, (batch) => {
    for (const line of batch.lines) {
      if (readable.destroyed) return;
      if (readable.readableLength >= maxBuffered) {
        dropped++;
        continue;
      }
      if (dropped > 0) {
        readable.push(droppedMarker(query.stream, dropped, line.ts));
        dropped = 0;
      }
      readable.push(line);
    }
  });
  return readable;
};
