// Streams JSON values as NDJSON on a hijacked response; a client too slow to read is cut off, never buffered without bound.

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
  const end = (last?: unknown): void => {
    if (isClosed) return;
    if (last !== undefined) raw.write(`${JSON.stringify(last)}\n`);
    raw.end();
    markClosed();
  };
  return {
    write(value) {
      if (isClosed) return false;
      if (raw.writableLength > maxQueued) {
        logger.warn({ queued: raw.writableLength }, 'stream client too slow; closing its stream');
        end({ type: 'error', error: { code: 'slow-consumer', message: `client did not read ${raw.writableLength} queued bytes; stream closed`, field: null } });
        return false;
      }
      raw.write(`${JSON.stringify(value)}\n`);
      return true;
    },
    end,
    get isClosed() {
      return isClosed;
    },
    closed,
  };
};
