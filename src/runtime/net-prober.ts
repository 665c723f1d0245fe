// Real health probes over TCP and HTTP: one socket per probe, a hard deadline over connect and response, never left open.

import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ProbeResult, ProbeTarget, Prober } from './prober.js';

/** An HTTP probe reads at most this much body before calling the answer complete (bounds memory and time). */
export const MAX_PROBE_BODY_BYTES = 64 * 1024;

/** Short, human wording for the socket errors a probe meets (`connection refused`, not `connect ECONNREFUSED 127.0.0.1:80`). */
export const describeProbeError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection closed';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EADDRNOTAVAIL':
      return 'address not available';
    case 'ETIMEDOUT':
      return 'connect timed out';
    default:
      break;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'socket hang up') return 'connection closed before a response';
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
};

/**
 * Probes with node:net and node:http. Every probe owns exactly one socket, created without a keep-alive agent,
 * and `settle` is the only exit: it clears the deadline timer, destroys the socket and detaches the abort listener,
 * so a probe that settles (by answer, error, timeout or abort) leaves nothing behind.
 */
export class NetProber implements Prober {
  /** Runs one probe; resolves (never rejects) within timeoutMs, or at once when `signal` aborts. */
  probe(target: ProbeTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    const started = performance.now();
    return new Promise<ProbeResult>((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let release: () => void = () => {};
      const settle = (error: string | null): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        release();
        const durationMs = Math.round(performance.now() - started);
        resolve(error === null ? { ok: true, durationMs } : { ok: false, error, durationMs });
      };
      const onAbort = (): void => settle('aborted');
      if (signal?.aborted) return settle('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => settle(`timed out after ${timeoutMs} ms`), Math.max(0, timeoutMs));
      try {
        release = target.kind === 'tcp' ? probeTcp(target, settle) : probeHttp(target.url, settle);
      } catch (error) {
        settle(describeProbeError(error));
      }
    });
  }
}

/** The prober the daemon uses. */
export const netProber: Prober = new NetProber();

type Settle = (error: string | null) => void;

/** Connects and counts the connect as success; returns what destroys the socket. */
const probeTcp = (target: { host: string; port: number }, settle: Settle): (() => void) => {
  const socket = net.connect({ host: target.host, port: target.port });
  // `on`, not `once`: an error after settling must still have a listener, or it would crash the daemon.
  socket.on('error', (error) => settle(describeProbeError(error)));
  socket.on('connect', () => settle(null));
  return () => socket.destroy();
};

/** GETs the URL; 2xx/3xx with a complete (or capped) body is success, any other status fails at once. */
const probeHttp = (url: string, settle: Settle): (() => void) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid health check URL ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:') throw new Error(`health check URL must start with http:// (got ${parsed.protocol}//)`);
  const request = http.get(parsed, {
    agent: false,
    headers: { connection: 'close', 'user-agent': 'sbx-health-probe', accept: '*/*' },
  });
  request.on('error', (error) => settle(describeProbeError(error)));
  request.on('response', (response) => {
    // After the status line, any socket error means the server hung up mid-response.
    response.on('error', () => settle('connection closed during the response'));
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 400) return settle(`HTTP ${status}`);
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= MAX_PROBE_BODY_BYTES) settle(null);
    });
    response.on('end', () => settle(null));
    // 'close' without 'end' first: the server hung up mid-body (a no-op when 'end' already settled).
    response.on('close', () => settle('connection closed during the response'));
  });
  return () => request.destroy();
};
