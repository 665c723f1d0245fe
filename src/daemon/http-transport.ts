// HTTP over the daemon's Unix socket (node:http with socketPath): JSON requests and NDJSON streams, errors as ApiError.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ErrorBody } from './api-types.js';
import { NdjsonError, NdjsonSplitter } from './ndjson.js';

/** Any failed API call: `status` 0 when the daemon could not be reached or the stream broke. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly details: ErrorBody['error'] | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A live NDJSON answer: iterate it; `close()` (or leaving a for-await early) hangs up. */
export interface NdjsonStream<T> extends AsyncIterable<T> {
  close(): void;
}

/** Per-call options. */
export interface CallOptions {
  /** Give up (ApiError status 0, code "timeout") after this long; 0 = no limit. */
  timeoutMs?: number;
}

const unreachable = (socketPath: string, error: NodeJS.ErrnoException): ApiError => {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
    return new ApiError(0, 'daemon-unreachable', `no daemon answers on ${socketPath} (${error.code})`);
  }
  if (error.code === 'EACCES') return new ApiError(0, 'daemon-forbidden', `not allowed to connect to ${socketPath} (it belongs to another user)`);
  return new ApiError(0, 'daemon-unreachable', `cannot talk to the daemon on ${socketPath}: ${error.message}`);
};

const readAll = async (response: IncomingMessage): Promise<string> => {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk as string;
  return text;
};

/** The ApiError an error answer stands for. */
const errorFrom = (status: number, text: string): ApiError => {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (body.error && typeof body.error.code === 'string') {
      return new ApiError(status, body.error.code, body.error.message, body.error.field ?? null, body.error);
    }
  } catch {
    // not our error shape
  }
  return new ApiError(status, 'http-error', `daemon answered ${status}: ${text.slice(0, 200)}`);
};

/** Sends one request and resolves with the response head (body unread). */
const send = (socketPath: string, method: string, path: string, body: unknown, options: CallOptions): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest({
      socketPath,
      method,
      path,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) {
      timer = setTimeout(() => req.destroy(new ApiError(0, 'timeout', `${method} ${path} got no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    }
    req.once('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof ApiError ? error : unreachable(socketPath, error));
    });
    req.end(payload);
  });

/** A JSON request; resolves with the parsed body of a 2xx answer, rejects with ApiError otherwise. */
export const requestJson = async <T>(socketPath: string, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> => {
  const response = await send(socketPath, method, path, body, options);
  const text = await readAll(response).catch((error: Error) => {
    throw new ApiError(0, 'stream-aborted', `the daemon hung up during ${method} ${path}: ${error.message}`);
  });
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw errorFrom(status, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(status, 'invalid-answer', `${method} ${path} answered something that is not JSON`);
  }
};

/** An NDJSON request; resolves once the answer started (an error answer rejects with ApiError). */
export const requestStream = async <T>(socketPath: string, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<NdjsonStream<T>> => {
  const response = await send(socketPath, method, path, body, options);
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw errorFrom(status, await readAll(response));
  response.setEncoding('utf8');
  let closedByUs = false;
  async function* values(): AsyncGenerator<T> {
    const splitter = new NdjsonSplitter();
    try {
      for await (const chunk of response) for (const value of splitter.push(chunk as string)) yield value as T;
      for (const value of splitter.end()) yield value as T;
    } catch (error) {
      if (closedByUs) return;
      if (error instanceof NdjsonError) throw new ApiError(status, 'invalid-answer', `${method} ${path}: ${error.message}`);
      throw new ApiError(0, 'stream-aborted', `the daemon hung up during ${method} ${path}: ${(error as Error).message}`);
    } finally {
      response.destroy();
    }
  }
  const iterator = values();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: () => {
      closedByUs = true;
      response.destroy();
    },
  };
};
