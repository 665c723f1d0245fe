// The real log store: per-unit files under the state folder, fed from per-run FIFOs that outlive the daemon.
//
// Layout under `dir` (e.g. `.sbx/logs`):  <unit>/output.log, output.log.1 … (rotated), <unit>/runs/<runId>.stdout|.stderr
// (FIFOs of runs not yet drained), .fifo-pool/ (FIFOs made ahead, fifo-pool.ts). See log-record.ts for the file format
// and fifo-capture.ts for the pipe design.
//
// Guarantees and limits:
// - Every byte a unit writes is stored once, in order per stream, across rotations and daemon restarts (reattach).
// - "combined" is the order in which sbx read the two pipes, chunk by chunk: two pipes cannot promise more.
// - Timestamps are per read chunk (ms), i.e. when sbx read the line.
// - Lines longer than MAX_LINE_BYTES (64 KiB) are stored as fragments flagged `partial`.
// - Output is never buffered beyond one incomplete line per stream; a killed daemon (kill -9) loses at most that.
// - One store per directory at a time (the daemon holds the project lock).

import { closeSync, existsSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../shared/clock.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { FifoCapture, openUnitEnds, runFifos } from './fifo-capture.js';
import { FifoPool } from './fifo-pool.js';
import { LineBatch, type LogBatch } from './line-batch.js';
import { readLines, type LogFileSet } from './log-file-reader.js';
import { DEFAULT_FOLLOW_BUFFER_LINES, FollowerSet } from './log-followers.js';
import { framesForText, type Frame } from './log-record.js';
import { DEFAULT_ROTATION, checkRotation, logGenerations, type RotationPolicy } from './log-rotation.js';
import type { FollowFlow, LogLine, LogQuery, LogSink, LogStore, LogStream } from './log-store.js';
import { UnitLogWriter, type CommitPosition } from './unit-log-writer.js';

/** Tuning for a FifoLogStore. */
export interface FifoLogStoreOptions {
  /** Defaults to 10 MiB × 5 files per unit. */
  rotation?: Partial<RotationPolicy>;
  /** Live lines a follower may have queued while its history loads (default 10 000). */
  followBufferLines?: number;
  clock?: Clock;
  logger?: Logger;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const checkName = (what: string, value: string): string => {
  if (!NAME.test(value)) {
    throw new Error(`log store: invalid ${what} ${JSON.stringify(value)} (expected 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-')`);
  }
  return value;
};

const checkQuery = (query: LogQuery): LogQuery => {
  if (!['stdout', 'stderr', 'combined'].includes(query.stream)) {
    throw new Error(`log store: stream must be stdout, stderr or combined, got ${JSON.stringify(query.stream)}`);
  }
  if (query.tail !== undefined && (!Number.isInteger(query.tail) || query.tail < 0)) {
    throw new Error(`log store: tail must be a non-negative integer, got ${JSON.stringify(query.tail)}`);
  }
  return query;
};

/** Log capture on disk through FIFOs, with rotation, follow and re-attachment after a daemon restart. */
export class FifoLogStore implements LogStore {
  readonly #rotation: RotationPolicy;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #followBuffer: number;
  #writers = new Map<string, UnitLogWriter>();
  #followers = new Map<string, FollowerSet>();
  #runs = new Map<string, FifoCapture>();
  /** Runs' FIFOs, made in batches (`.fifo-pool` cannot be a unit's folder: unit names never start with a dot). */
  readonly #pool: FifoPool;
  #closed = false;

  constructor(
    readonly dir: string,
    options: FifoLogStoreOptions = {},
  ) {
    this.#rotation = checkRotation({ ...DEFAULT_ROTATION, ...options.rotation });
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#followBuffer = options.followBufferLines ?? DEFAULT_FOLLOW_BUFFER_LINES;
    this.#pool = new FifoPool(join(dir, '.fifo-pool'));
  }

  async open(unit: string, runId: string): Promise<LogSink> {
    this.#checkOpen();
    const key = this.#key(unit, runId);
    const fifos = runFifos(this.#unitDir(unit), runId);
    if (this.#runs.has(key) || existsSync(fifos.stdout) || existsSync(fifos.stderr)) {
      throw new Error(`log store: run ${runId} of unit ${unit} already exists; reattach it instead of opening it again`);
    }
    this.#writer(unit);
    await this.#pool.make(fifos);
    this.#checkOpen();
    const ends = openUnitEnds(fifos);
    try {
      this.#capture(unit, runId, key);
    } catch (error) {
      closeQuietly(ends.stdout);
      closeQuietly(ends.stderr);
      throw error;
    }
    let released = false;
    return {
      stdio: ends,
      release: () => {
        if (released) return;
        released = true;
        closeQuietly(ends.stdout);
        closeQuietly(ends.stderr);
      },
    };
  }

  async reattach(unit: string, runId: string): Promise<void> {
    this.#checkOpen();
    const key = this.#key(unit, runId);
    const fifos = runFifos(this.#unitDir(unit), runId);
    if (this.#runs.has(key)) return;
    if (!existsSync(fifos.stdout) || !existsSync(fifos.stderr)) {
      this.#logger.info({ unit, runId }, 'no FIFOs left for this run; its output was already stored');
      return;
    }
    this.#capture(unit, runId, key);
  }

  note(unit: string, stream: LogStream, text: string): void {
    if (this.#closed) {
      this.#logger.debug({ unit, text }, 'note after the log store closed; dropped');
      return;
    }
    try {
      this.#writer(unit).append(framesForText(stream, text), this.#clock.now());
    } catch (error) {
      this.#logger.error({ unit, err: error }, 'cannot write a note to the unit log');
    }
  }

  async read(unit: string, query: LogQuery): Promise<LogLine[]> {
    checkQuery(query);
    if (query.tail === 0) return [];
    return readLines(this.#snapshot(unit), query.stream, query.tail);
  }

  follow(unit: string, query: LogQuery, onBatch: (batch: LogBatch) => void, flow?: FollowFlow): () => void {
    checkQuery(query);
    const set = this.#followerSet(unit);
    const handle = set.add(query.stream, onBatch, flow);
    // With a flow, the history ends where live lines begin: the writer's position now (the snapshot is cut there too).
    const writer = flow ? this.#writer(unit) : null;
    const from = writer ? { seq: writer.seq, offset: writer.size } : undefined;
    const history = query.tail === 0 ? Promise.resolve([]) : readLines(this.#snapshot(unit), query.stream, query.tail);
    history.then(
      (lines) => handle.start(lines, from),
      (error: unknown) => {
        this.#logger.warn({ unit, err: error }, 'cannot read log history for a follower');
        handle.start([{ ts: this.#clock.now(), stream: 'stderr', text: `[sbx] could not read earlier lines: ${String(error)}` }], from);
      },
    );
    return () => handle.stop();
  }

  drained(unit: string, runId: string): Promise<void> {
    const capture = this.#runs.get(this.#key(unit, runId));
    if (capture) return capture.whenDrained();
    const fifos = runFifos(this.#unitDir(unit), runId);
    if (existsSync(fifos.stdout) || existsSync(fifos.stderr)) {
      return Promise.reject(new Error(`log store: run ${runId} of unit ${unit} is not being read; reattach it first`));
    }
    return Promise.resolve();
  }

  /** Run ids of the unit whose FIFOs still exist (not drained yet): after a restart, reattach them or remove them. */
  pendingRuns(unit: string): string[] {
    try {
      const names = readdirSync(join(this.#unitDir(unit), 'runs'));
      return [...new Set(names.filter((n) => n.endsWith('.stdout')).map((n) => n.slice(0, -'.stdout'.length)))].sort();
    } catch {
      return [];
    }
  }

  async remove(unit: string): Promise<void> {
    const dir = this.#unitDir(unit);
    for (const [key, capture] of this.#runs) {
      if (key.startsWith(`${unit}\0`)) {
        capture.release(false);
        this.#runs.delete(key);
      }
    }
    this.#writers.get(unit)?.close();
    this.#writers.delete(unit);
    this.#followers.get(unit)?.clear();
    this.#followers.delete(unit);
    rmSync(dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const capture of this.#runs.values()) capture.release(true);
    this.#runs.clear();
    this.#closed = true;
    for (const writer of this.#writers.values()) writer.close();
    this.#writers.clear();
    for (const set of this.#followers.values()) set.clear();
    this.#followers.clear();
    this.#pool.clear();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('log store: closed');
  }

  #key(unit: string, runId: string): string {
    return `${checkName('unit name', unit)}\0${checkName('run id', runId)}`;
  }

  #unitDir(unit: string): string {
    return join(this.dir, checkName('unit name', unit));
  }

  #writer(unit: string): UnitLogWriter {
    let writer = this.#writers.get(unit);
    if (!writer) {
      writer = new UnitLogWriter(this.#unitDir(unit), this.#rotation, this.#logger, (frames, ts, at) => this.#publish(unit, frames, ts, at));
      this.#writers.set(unit, writer);
    }
    return writer;
  }

  #followerSet(unit: string): FollowerSet {
    let set = this.#followers.get(unit);
    if (!set) {
      set = new FollowerSet(this.#followBuffer, this.#logger, () => this.#writer(unit), () => this.#clock.now());
      this.#followers.set(unit, set);
    }
    return set;
  }

  #publish(unit: string, frames: Frame[], ts: number, at: CommitPosition): void {
    const set = this.#followers.get(unit);
    if (!set) return;
    set.record(at);
    if (set.size > 0) set.publish(LineBatch.ofWritten(frames, ts), at);
  }

  #capture(unit: string, runId: string, key: string): void {
    const writer = this.#writer(unit);
    const sink = (frames: Frame[], ts: number): void => {
      try {
        writer.append(frames, ts);
      } catch (error) {
        this.#logger.error({ unit, runId, err: error }, 'cannot store unit output');
      }
    };
    const capture = new FifoCapture(runFifos(this.#unitDir(unit), runId), sink, () => this.#clock.now(), this.#logger, () =>
      this.#runs.delete(key),
    );
    this.#runs.set(key, capture);
    try {
      capture.start();
    } catch (error) {
      this.#runs.delete(key);
      throw error;
    }
  }

  /** The unit's files at this instant, newest first (read ends are opened now, so rotation cannot race the read). */
  #snapshot(unit: string): LogFileSet {
    const writer = this.#writers.get(unit);
    if (writer) return writer.snapshot();
    const files: LogFileSet['files'] = [];
    for (const path of logGenerations(this.#unitDir(unit), this.#rotation.maxFiles)) {
      try {
        files.push({ fd: openSync(path, 'r'), end: null });
      } catch {
        // generation not present
      }
    }
    return { files };
  }
}

const closeQuietly = (fd: number): void => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
};
