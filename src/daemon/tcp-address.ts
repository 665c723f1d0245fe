// The optional TCP listener's address: loopback only (127.0.0.0/8, ::1 or localhost), checked before anything binds.

import { isIPv4, isIPv6 } from 'node:net';
import { err, ok, type Result } from '../shared/result.js';

/** Where the TCP listener binds. */
export interface TcpAddress {
  /** A literal loopback address (`localhost` becomes 127.0.0.1). */
  host: string;
  /** 0 = any free port (the listener reports the one it got). */
  port: number;
}

/** The environment variable that turns the TCP listener on for a daemon started on demand. */
export const LISTEN_ENV = 'SBX_LISTEN';

const isLoopback = (host: string): boolean => (isIPv4(host) ? host.split('.')[0] === '127' : isIPv6(host) && new URL(`http://[${host}]/`).hostname === '[::1]');

/** Parses `HOST:PORT` (`[::1]:PORT` for IPv6); anything but a loopback address is refused with the reason. */
export const parseTcpAddress = (text: string): Result<TcpAddress, string> => {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return err(`listen address must be HOST:PORT with a loopback host, e.g. 127.0.0.1:7777 (got ${JSON.stringify(text)})`);
  const named = (match[1] ?? match[2] ?? '').toLowerCase();
  const port = Number(match[3]);
  if (port > 65_535) return err(`listen port must be 0-65535 (got ${port})`);
  const host = named === 'localhost' ? '127.0.0.1' : named;
  if (!isIPv4(host) && !isIPv6(host)) return err(`listen host must be a loopback IP address or localhost (got ${JSON.stringify(named)})`);
  if (!isLoopback(host)) {
    return err(`refusing to listen on ${named}: the TCP listener binds loopback only (127.0.0.1 or ::1); reach it from elsewhere through an SSH tunnel`);
  }
  return ok({ host, port });
};

/** The host part as it appears in a URL or Host header (`[::1]` for IPv6). */
export const urlHost = (host: string): string => (isIPv6(host) ? `[${host}]` : host);
