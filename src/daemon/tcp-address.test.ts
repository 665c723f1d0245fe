import { describe, expect, it } from 'vitest';
import { parseTcpAddress, urlHost } from './tcp-address.js';

describe('parseTcpAddress', () => {
  it.each([
    ['127.0.0.1:7777', { host: '127.0.0.1', port: 7777 }],
    ['127.10.0.1:0', { host: '127.10.0.1', port: 0 }],
    ['localhost:8080', { host: '127.0.0.1', port: 8080 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['[0:0:0:0:0:0:0:1]:9000', { host: '0:0:0:0:0:0:0:1', port: 9000 }],
  ])('accepts %s', (text, address) => {
    expect(parseTcpAddress(text)).toEqual({ ok: true, value: address });
  });

  it.each([
    ['0.0.0.0:7777', /loopback only/],
    ['192.168.1.10:7777', /loopback only/],
    ['[::]:7777', /loopback only/],
    ['[::ffff:127.0.0.1]:7777', /loopback only/],
    ['example.com:7777', /loopback IP address or localhost/],
    ['127.0.0.1', /HOST:PORT/],
    ['127.0.0.1:70000', /0-65535/],
    ['127.0.0.1:-1', /HOST:PORT/],
    [':7777', /HOST:PORT/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseTcpAddress(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });

  it('writes IPv6 hosts in brackets', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1');
  });
});
