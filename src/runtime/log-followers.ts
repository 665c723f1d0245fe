// Live delivery of new lines to followers, with bounded buffers: a slow reader loses lines (and is told), never memory.

import { Readable } from 'node:stream';
import type { Logger } from '../shared/logger.js';
import type { LogLine, LogQuery, LogStore, LogView } from './log-store.js';

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
  onLine: (line: LogLine) => void;
  live: boolean;
  queue: LogLine[];
  dropped: number;
}

/** The followers of one unit. */
export class FollowerSet {
  #followers = new Set<Follower>();

  constructor(
    private readonly limit: number,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.#followers.size;
  }

  /** Registers a follower that queues live lines (bounded) until start() hands it its history. */
  add(view: LogView, onLine: (line: LogLine) => void): { start(history: LogLine[]): void; stop(): void } {
    const follower: Follower = { view, onLine, live: false, queue: [], dropped: 0 };
    this.#followers.add(follower);
    return {
      start: (history) => {
        if (!this.#followers.has(follower)) return;
        for (const line of history) this.#deliver(follower, line);
        if (follower.dropped > 0) this.#deliver(follower, droppedMarker(view, follower.dropped, follower.queue[0]?.ts ?? Date.now()));
        const queued = follower.queue;
        follower.queue = [];
        follower.dropped = 0;
        for (const line of queued) this.#deliver(follower, line);
        follower.live = true;
      },
      stop: () => {
        this.#followers.delete(follower);
      },
    };
  }

  /** Hands new lines to every follower whose view matches. */
  publish(lines: LogLine[]): void {
    for (const follower of this.#followers) {
      for (const line of lines) {
        if (follower.view !== 'combined' && follower.view !== line.stream) continue;
        if (follower.live) this.#deliver(follower, line);
        else if (follower.queue.length < this.limit) follower.queue.push(line);
        else follower.dropped++;
      }
    }
  }

  clear(): void {
    this.#followers.clear();
  }

  #deliver(follower: Follower, line: LogLine): void {
    if (!this.#followers.has(follower)) return;
    try {
      follower.onLine(line);
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
  stop = store.follow(unit, query, (line) => {
    if (readable.destroyed) return;
    if (readable.readableLength >= maxBuffered) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      readable.push(droppedMarker(query.stream, dropped, line.ts));
      dropped = 0;
    }
    readable.push(line);
  });
  return readable;
};
