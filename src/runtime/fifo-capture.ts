// One run's output: two named pipes (FIFOs) the unit writes and sbx reads without blocking, framed into the log.
//
// Why FIFOs: a FIFO has a name, so a daemon started after the previous one died can open it again and carry on
// where the pipe stands (no gap, no duplicate). The unit's ends are opened O_RDWR, so the pipe always has a
// reader: a unit never gets SIGPIPE when the daemon dies. While no daemon reads, the kernel's pipe buffer
// (64 KiB on Linux) fills and then the unit's writes block until a daemon reattaches; that is the documented
// trade-off (docker live-restore does the same) — lines are delayed, not lost. If the unit exits while no daemon
// reads, what sat unread in the pipe is gone with it (the kernel frees a pipe when its last fd closes).
//
// sbx reads through net.Socket on an O_RDONLY|O_NONBLOCK fd (epoll, not libuv's 4-thread fs pool, which blocking
// FIFO reads would tie up) and writes each chunk to disk before it reads the next, so a flood never piles up in
// memory: what is held is at most one incomplete line per stream (≤ MAX_LINE_BYTES). Each stream reads into one
// buffer of its own, over and over (`onread`): a flood allocates nothing per read (a fresh 64 KiB buffer per read
// made the daemon's memory swing by tens of MiB between collections at 200 MB/s). That is safe because every
// consumer of a chunk is done with it when the sink returns: the log writer writes it synchronously, followers get
// decoded strings, and the framer copies the incomplete line it keeps.

import { execFile } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readSync, unlinkSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../shared/logger.js';
import { nextTurn } from '../shared/turn-pacer.js';
import type { LogStream } from './log-store.js';
import { LineFramer, type Frame } from './log-record.js';

const execFileAsync = promisify(execFile);
const STREAMS: readonly LogStream[] = ['stdout', 'stderr'];

/** Paths of a run's two FIFOs. */
export type RunFifos = Record<LogStream, string>;

/** Where a run's FIFOs live inside the unit's log directory. */
export const runFifos = (unitDir: string, runId: string): RunFifos => ({
  stdout: join(unitDir, 'runs', `${runId}.stdout`),
  stderr: join(unitDir, 'runs', `${runId}.stderr`),
});

/** Creates both FIFOs (mode 0600) with one mkfifo(1) call (Node has none); the store batches them (fifo-pool.ts). */
export const makeFifos = async (fifos: RunFifos): Promise<void> => {
  mkdirSync(dirname(fifos.stdout), { recursive: true, mode: 0o700 });
  // execFile forks the daemon synchronously: one fork per event-loop turn (turn-pacer.ts).
  await nextTurn();
  await execFileAsync('mkfifo', ['-m', '600', '--', fifos.stdout, fifos.stderr]);
};

/** Opens the unit's ends read-write: they keep the pipe open for reading even when no daemon is there. */
export const openUnitEnds = (fifos: RunFifos): Record<LogStream, number> => {
  const stdout = openSync(fifos.stdout, constants.O_RDWR);
  try {
    return { stdout, stderr: openSync(fifos.stderr, constants.O_RDWR) };
  } catch (error) {
    closeSync(stdout);
    throw error;
  }
};

/** Where framed output goes: the unit's writer. */
export type FrameSink = (frames: Frame[], ts: number) => void;

/** Reads one run's FIFOs until every writer has closed them. */
export class FifoCapture {
  #sockets = new Map<LogStream, Socket>();
  #framers = new Map<LogStream, LineFramer>();
  /** Streams not yet at EOF. */
  #open = new Set<LogStream>(STREAMS);
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #state: 'reading' | 'drained' | 'released' = 'reading';

  constructor(
    readonly fifos: RunFifos,
    private readonly sink: FrameSink,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly onDrained: () => void,
  ) {
    for (const stream of STREAMS) this.#framers.set(stream, new LineFramer(stream));
  }

  /** Opens sbx's read ends; for a new run the unit's ends must be open already (else this sees EOF at once). */
  start(): void {
    try {
      for (const stream of STREAMS) this.#attach(stream);
    } catch (error) {
      this.release(false);
      throw error;
    }
  }

  #attach(stream: LogStream): void {
    const fd = openSync(this.fifos[stream], constants.O_RDONLY | constants.O_NONBLOCK);
    // Linux withholds EPOLLHUP from a reader that opened when no writer was left (until a writer shows up), so
    // epoll alone would wait forever for a run that ended while no daemon read it: probe once, 0 bytes = EOF.
    const probe = Buffer.allocUnsafe(64 * 1024);
    let got: number;
    try {
      got = readSync(fd, probe, 0, probe.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
        closeSync(fd);
        throw error;
      }
      got = -1;
    }
    if (got === 0) {
      closeSync(fd);
      this.#ended(stream);
      return;
    }
    if (got > 0) this.sink(this.#framer(stream).push(probe.subarray(0, got)), this.now());
    // `onread` works on a Socket built around an fd (Node >= 18) though @types/node lists it only for connect().
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd,
      readable: true,
      writable: false,
      allowHalfOpen: true,
      onread: {
        buffer: probe,
        callback: (read: number, buffer: Uint8Array) => {
          this.sink(this.#framer(stream).push(Buffer.from(buffer.buffer, buffer.byteOffset, read)), this.now());
          return true;
        },
      },
    };
    const socket = new Socket(options);
    this.#sockets.set(stream, socket);
    socket.on('end', () => this.#ended(stream));
    socket.on('error', (error) => {
      this.logger.warn({ fifo: this.fifos[stream], err: error }, 'reading a unit output FIFO failed; treating it as closed');
      this.#ended(stream);
    });
  }

  /** Resolves once both FIFOs reached EOF and everything read is on disk. */
  whenDrained(): Promise<void> {
    if (this.#state === 'drained') return Promise.resolve();
    if (this.#state === 'released') return Promise.reject(new Error(`log capture of ${this.fifos.stdout} was released before EOF`));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Stops reading without touching the unit or the FIFOs (daemon shutdown): bytes already read are written, an
   * incomplete line as a fragment that the next reader's first line continues. With flush false, drops them.
   */
  release(flush = true): void {
    if (this.#state !== 'reading') return;
    this.#state = 'released';
    for (const socket of this.#sockets.values()) socket.destroy();
    this.#sockets.clear();
    if (flush) for (const stream of this.#open) this.sink(this.#framer(stream).cut(), this.now());
    const error = new Error(`log capture of ${this.fifos.stdout} was released before EOF`);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  #framer(stream: LogStream): LineFramer {
    return this.#framers.get(stream) as LineFramer;
  }

  #ended(stream: LogStream): void {
    if (this.#state !== 'reading' || !this.#open.delete(stream)) return;
    this.#sockets.get(stream)?.destroy();
    this.#sockets.delete(stream);
    this.sink(this.#framer(stream).end(), this.now());
    if (this.#open.size > 0) return;
    this.#state = 'drained';
    for (const path of Object.values(this.fifos)) {
      try {
        unlinkSync(path);
      } catch {
        // already gone (unit log removed)
      }
    }
    this.onDrained();
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }
}
