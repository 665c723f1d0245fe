// Streams JSON values as NDJSON on a hijacked response; a client too slow to read is cut off, never buffered without bound.
// Lines written in one event-loop turn go out as one socket write: a log flood to a follower is then a few large
// chunks, not a write request (and its bookkeeping, several times the line's own size) per line.

import type { FastifyReply } from 'fastify';
import type { Logger } from '../shared/logger.js';

/** Bytes a stream may have queued for a slow client before it is closed with an error line. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** Queued bytes above which hasRoom() says no: a writer that honours it never reaches MAX_QUEUED_BYTES. */
export const ROOM_BYTES = 256 * 1024;

/** An open NDJSON answer. */
export interface NdjsonWriter {
  /** Writes one value as a line; false once the stream is closed (client gone, or cut off for being slow). */
  write(value: unknown): boolean;
  /** Writes lines already encoded as NDJSON (whole lines, each ending in '\n'). */
  writeEncoded(lines: Buffer): boolean;
  /** Whether the client takes more now (fewer than ROOM_BYTES queued for it); false once closed. */
  hasRoom(): boolean;
  /** Resolves when the client has room again or the stream closed. */
  waitRoom(): Promise<void>;
  /** Ends the answer, optionally with a last value. */
  end(last?: unknown): void;
  /** True once the answer ended or the client went away. */
  readonly isClosed: boolean;
  /** Resolves when the answer ended or the client went away. */
  readonly closed: Promise<void>;
}

/**
 * Lines already serialised, by the value they stand for: one log line or event object goes to every follower of a
 * unit, and is turned into JSON once (values are never changed after they are handed out).
 */
const serialized = new WeakMap<object, string>();

/** One value as an NDJSON line (serialised once per object). */
export const lineOf = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return `${JSON.stringify(value)}\n`;
  let line = serialized.get(value);
  if (line === undefined) {
    line = `${JSON.stringify(value)}\n`;
    serialized.set(value, line);
  }
  return line;
};

/** Takes the response over from fastify and starts a 200 NDJSON answer. */
export const openNdjson = (reply: FastifyReply, logger: Logger, maxQueued = MAX_QUEUED_BYTES): NdjsonWriter => {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  raw.flushHeaders();
  let isClosed = false;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const markClosed = (): void => {
    isClosed = true;
    resolveClosed();
  };
  raw.once('close', markClosed);
  raw.once('error', markClosed);
  let pending: (string | Buffer)[] = [];
  let pendingBytes = 0;
  let flushing: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (flushing) clearImmediate(flushing);
    flushing = null;
    if (pending.length === 0 || isClosed) return;
    if (pending.every((piece) => typeof piece === 'string')) {
      raw.write(pending.join(''));
    } else {
      raw.cork();
      for (const piece of pending) raw.write(piece);
      raw.uncork();
    }
    pending = [];
    pendingBytes = 0;
  };
  const end = (last?: unknown): void => {
    if (isClosed) return;
    if (last !== undefined) pending.push(`${JSON.stringify(last)}\n`);
    flush();
    raw.end();
    markClosed();
  };
  const queuedBytes = (): number => raw.writableLength + pendingBytes;
  const queue = (piece: string | Buffer): boolean => {
    if (isClosed) return false;
    const queued = queuedBytes();
    if (queued > maxQueued) {
      logger.warn({ queued }, 'stream client too slow; closing its stream');
      pending = [];
      pendingBytes = 0;
      end({ type: 'error', error: { code: 'slow-consumer', message: `client did not read ${queued} queued bytes; stream closed`, field: null } });
      return false;
    }
    pending.push(piece);
    pendingBytes += piece.length;
    flushing ??= setImmediate(flush);
    return true;
  };
  const hasRoom = (): boolean => !isClosed && queuedBytes() < ROOM_BYTES;
  return {
    hasRoom,
    waitRoom() {
      flush();
      if (isClosed || hasRoom()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          raw.off('drain', done);
          resolve();
        };
        raw.once('drain', done);
        void closed.then(done);
      });
    },
    write(value) {
      return queue(lineOf(value));
    },
    writeEncoded(lines) {
      return lines.length === 0 ? !isClosed : queue(lines);
    },
    end,
    get isClosed() {
      return isClosed;
    },
    closed,
  };
};
