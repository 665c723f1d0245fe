// The contract for capturing and reading units' output; logs outlive the daemon that collected them.

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
  /** Calls onLine for the last `tail` lines (all stored lines when tail is undefined), then for every new one; returns an unsubscribe function. */
  follow(unit: string, query: LogQuery, onLine: (line: LogLine) => void): () => void;
  /** Resolves once every byte the run wrote so far has been stored (the run's output reached EOF). */
  drained(unit: string, runId: string): Promise<void>;
  /** Deletes a unit's logs. */
  remove(unit: string): Promise<void>;
  close(): Promise<void>;
}
