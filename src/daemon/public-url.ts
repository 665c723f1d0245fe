// The host in a server's `url`: 127.0.0.1 unless the daemon is told another name the server is reached by (a
// machine's DNS name, a `*.localhost` alias, a tunnel). Units still reach each other over loopback
// (`${units.NAME.url}` stays `http://127.0.0.1:PORT`); only the URL shown to people and API clients changes.

import { isIPv6 } from 'node:net';
import { err, ok, type Result } from '../shared/result.js';
import { urlHost } from './tcp-address.js';

/** The environment variable a daemon started on demand reads its URL host from. */
export const URL_HOST_ENV = 'SBX_URL_HOST';

/** The URL host when none is set. */
export const DEFAULT_URL_HOST = '127.0.0.1';

/** A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123), 253 characters at most. */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Checks a URL host (a DNS name, an IPv4 or an IPv6 address, bracketed or not); empty means the default. */
export const parseUrlHost = (text: string | undefined): Result<string, string> => {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return ok(DEFAULT_URL_HOST);
  const bracketed = trimmed.startsWith('[') && trimmed.endsWith(']');
  const bare = bracketed ? trimmed.slice(1, -1) : trimmed;
  if (isIPv6(bare) || (!bracketed && HOSTNAME.test(bare))) return ok(bare.toLowerCase());
  return err(`URL host must be a host name or an IP address, without scheme or port, e.g. dev.example.test (got ${JSON.stringify(text)})`);
};

/** `http://HOST:PORT` for a server listening on port. */
export const serverUrl = (host: string, port: number): string => `http://${urlHost(host)}:${port}`;
