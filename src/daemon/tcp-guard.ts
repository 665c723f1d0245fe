// Who may use the TCP listener: a request must name the listener as its Host (DNS rebinding), carry no foreign Origin
// (a web page), and present the bearer token, compared in constant time. Checked before any route runs.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { urlHost, type TcpAddress } from './tcp-address.js';

/** What a request is checked against, for one bound address. */
export interface TcpGuard {
  /** Accepted Host header values (lower case): the bound `host:port` and `localhost:port`. */
  hosts: Set<string>;
  /** Accepted Origin header values: `http://` + each accepted host. */
  origins: Set<string>;
  /** sha256 of the token (digests have equal lengths, as timingSafeEqual needs). */
  tokenDigest: Buffer;
}

/** Why a request is refused, as status, code and message (never echoing what the client sent). */
export interface Refusal {
  status: 401 | 403 | 421;
  code: string;
  message: string;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The guard for a listener bound at `address` (its real port) with `token`. */
export const tcpGuard = (address: TcpAddress, token: string): TcpGuard => {
  const hosts = [`${urlHost(address.host)}:${address.port}`, `localhost:${address.port}`].map((h) => h.toLowerCase());
  return { hosts: new Set(hosts), origins: new Set(hosts.map((h) => `http://${h}`)), tokenDigest: sha256(token) };
};

/** True when `presented` is the token; time does not depend on where they differ. */
export const tokenMatches = (guard: TcpGuard, presented: string): boolean => timingSafeEqual(sha256(presented), guard.tokenDigest);

/** null when the request may proceed, else why not: wrong Host → 421, foreign Origin → 403, no or wrong token → 401. */
export const checkRequest = (guard: TcpGuard, headers: IncomingHttpHeaders): Refusal | null => {
  const host = headers.host?.toLowerCase();
  if (host === undefined || !guard.hosts.has(host)) {
    return { status: 421, code: 'misdirected-request', message: `the Host header must be one of ${[...guard.hosts].join(', ')}` };
  }
  const origin = headers.origin;
  if (origin !== undefined && !guard.origins.has(origin)) {
    return { status: 403, code: 'forbidden-origin', message: 'requests from web pages are refused (Origin is not this listener)' };
  }
  const match = /^Bearer ([^\s]+)$/.exec(headers.authorization ?? '');
  if (!match?.[1] || !tokenMatches(guard, match[1])) {
    return { status: 401, code: 'unauthorized', message: 'a bearer token is required: Authorization: Bearer <token> (print it with `sbx token`)' };
  }
  return null;
};
