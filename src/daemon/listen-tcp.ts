// The optional TCP listener: a plain HTTP server on a loopback address that checks Host, Origin and the token, then
// hands the request to the same fastify router as the Unix socket (one route table, two listeners).

import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.js';
import type { TcpAddress } from './tcp-address.js';
import { checkRequest, tcpGuard, type TcpGuard } from './tcp-guard.js';

/** A listening TCP server. */
export interface TcpListener {
  /** The bound address, with the real port. */
  address: TcpAddress;
  close(): Promise<void>;
}

/** Binds `address` and serves `app` to requests that pass the guard; rejects when it cannot bind. */
export const listenTcp = async (app: FastifyInstance, address: TcpAddress, token: string, logger: Logger): Promise<TcpListener> => {
  let guard: TcpGuard | null = null;
  const server: Server = createServer((request, response) => {
    const refusal = guard ? checkRequest(guard, request.headers) : { status: 421 as const, code: 'not-ready', message: 'not listening yet' };
    if (!refusal) {
      app.routing(request, response);
      return;
    }
    logger.info({ remote: request.socket.remoteAddress, method: request.method, status: refusal.status, code: refusal.code }, 'tcp request refused');
    const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message, field: null } });
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) };
    if (refusal.status === 401) headers['www-authenticate'] = 'Bearer';
    response.writeHead(refusal.status, headers);
    response.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const actual = { host: address.host, port };
  guard = tcpGuard(actual, token);
  return {
    address: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
