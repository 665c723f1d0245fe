// Reading a unit's logs: `{ logs }` as text (the seed's shape), `?format=lines` as `{ lines: [{ ts, stream, text }] }`,
// or `?follow=1` as NDJSON lines until the client goes away.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogView } from '../../runtime/log-store.js';
import type { LogLinesResult, LogsResult } from '../api-types.js';
import { encodeLogBatch } from '../log-ndjson.js';
import { openNdjson } from '../ndjson-writer.js';
import type { ApiContext } from '../route.js';

/** Lines answered when the query gives no `tail` (bounds the answer). */
export const DEFAULT_LOG_TAIL = 10_000;

/** Query schema shared by the logs routes. */
export const logsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stream: { type: 'string', enum: ['stdout', 'stderr', 'combined'] },
    tail: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    follow: { type: 'string', enum: ['0', '1', 'true', 'false'] },
    format: { type: 'string', enum: ['text', 'lines'] },
  },
};

interface LogsQuery {
  stream?: LogView;
  tail?: number;
  follow?: string;
  format?: 'text' | 'lines';
}

/** Answers a logs request for `name` (which the caller has checked exists). */
export const answerLogs = async (ctx: ApiContext, name: string, request: FastifyRequest, reply: FastifyReply): Promise<LogsResult | LogLinesResult | undefined> => {
  const query = request.query as LogsQuery;
  const stream = query.stream ?? 'combined';
  if (query.follow === '1' || query.follow === 'true') {
    const out = openNdjson(reply, ctx.logger);
    // The writer's back-pressure reaches the store: a follower that reads slower than the unit writes goes on from the
    // files at its own pace, and nothing waits for it in the daemon's memory.
    const stop = ctx.deps.logs.follow(
      name,
      { stream, tail: query.tail ?? 0 },
      (batch) => {
        out.writeEncoded(encodeLogBatch(batch));
      },
      { hasRoom: () => out.hasRoom(), waitRoom: () => out.waitRoom() },
    );
    await out.closed;
    stop();
    return undefined;
  }
  const lines = await ctx.deps.logs.read(name, { stream, tail: query.tail ?? DEFAULT_LOG_TAIL });
  if (query.format === 'lines') return { lines };
  return { logs: lines.map((l) => `${l.text}\n`).join('') };
};
