// Streams JSON values as NDJSON on a hijacked response; a client too slow to read is cut off, never buffered without bound.
// Lines written in one event-loop turn go out as one socket write: a log flood to a follower is then a few large
// chunks, not a write request (and its bookkeeping, several times the line's own size) per line.

import type { FastifyReply } from 'fastify';
import type { Logger } from '../shared/logger.js';

/** Bytes a stream may have queued for a slow client before it is closed with an error line. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** An open NDJSON answer. */
export interface NdjsonWriter {
  /** Writes one value as a line; false once the stream is closed (client gone, or cut off for being slow). */
  write(value: unknown): boolean;
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

const lineOf = (value: unknown): string => {
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
  let pending: string[] = [];
  let pendingBytes = 0;
  let flushing: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (flushing) clearImmediate(flushing);
    flushing = null;
    if (pending.length === 0 || isClosed) return;
    raw.write(pending.join(''));
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
  return {
    write(value) {
      if (isClosed) return false;
      const queued = raw.writableLength + pendingBytes;
      if (queued > maxQueued) {
        logger.warn({ queued }, 'stream client too slow; closing its stream');
        pending = [];
        pendingBytes = 0;
        end({ type: 'error', error: { code: 'slow-consumer', message: `client did not read ${queued} queued bytes; stream closed`, field: null } });
        return false;
      }
      const line = lineOf(value);
      pending.push(line);
      pendingBytes += line.length;
      flushing ??= setImmediate(flush);
      return true;
    },
    end,
    get isClosed() {
      return isClosed;
    },
    closed,
  };
};
