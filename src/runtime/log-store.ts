// The contract for capturing and reading units' output; logs outlive the daemon that collected them.

import type { LogBatch } from './line-batch.js';

export type LogStream = 'stdout' | 'stderr';
export type LogView = LogStream | 'combined';

/** One stored line; `text` has no trailing newline. */
export interface LogLine {
  /** Milliseconds since the epoch when sbx read the line. */
  ts: number;
  stream: LogStream;
  text: string;
  /** True when this is a fragment of a longer line (over MAX_LINE_BYTES, or cut at a daemon hand-over); the next line of the same stream continues it. */
  partial?: boolean;
}

/** The child's ends of a run's output, to pass to the process runner. */
export interface LogSink {
  stdio: { stdout: number; stderr: number };
  /** Closes the daemon's copies of the child's fds; call right after spawn. */
  release(): void;
}

/** Options for reading a unit's log. */
export interface LogQuery {
  stream: LogView;
  /** Only the last N lines (after filtering by stream). */
  tail?: number;
}

/**
 * Back-pressure from a follower's consumer. A follower given one never has lines queued for it in memory: when its
 * consumer has no room, it goes on later from the files at the consumer's pace, and is told of lines only when rotation
 * removed them before it read them.
 */
export interface FollowFlow {
  /** Whether the consumer takes more lines now. */
  hasRoom(): boolean;
  /** Resolves once the consumer has room again (or is gone). */
  waitRoom(): Promise<void>;
}

/** Per-unit log capture on disk, with rotation. */
export interface LogStore {
  /** Prepares capture for a new run and starts reading it. */
  open(unit: string, runId: string): Promise<LogSink>;
  /**
   * Resumes reading a run started by an earlier daemon. Nothing the unit wrote meanwhile is lost while it lives (it
   * blocks once the pipe is full); if it exited while no daemon read, its unread pipe contents went with it.
   */
  reattach(unit: string, runId: string): Promise<void>;
  /** Appends a line written by sbx itself (install output header, exit notices). */
  note(unit: string, stream: LogStream, text: string): void;
  /** Stored lines, oldest first. */
  read(unit: string, query: LogQuery): Promise<LogLine[]>;
  /**
   * Calls onBatch with the last `tail` lines (all stored lines when tail is undefined), then with every new batch, in
   * order; returns an unsubscribe function. A batch is shared by every follower of the same view: never change it.
   * Without `flow`, a follower that cannot take lines while its history loads has the excess dropped (and is told);
   * with it, no line is dropped unless rotation removed it first.
   */
  follow(unit: string, query: LogQuery, onBatch: (batch: LogBatch) => void, flow?: FollowFlow): () => void;
  /** Resolves once every byte the run wrote so far has been stored (the run's output reached EOF). */
  drained(unit: string, runId: string): Promise<void>;
  /** Deletes a unit's logs. */
  remove(unit: string): Promise<void>;
  close(): Promise<void>;
}
