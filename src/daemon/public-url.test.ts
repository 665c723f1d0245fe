import { describe, expect, it } from 'vitest';
import { DEFAULT_URL_HOST, parseUrlHost, serverUrl } from './public-url.js';

describe('parseUrlHost', () => {
  it.each([
    [undefined, DEFAULT_URL_HOST],
    ['', DEFAULT_URL_HOST],
    ['  ', DEFAULT_URL_HOST],
    ['dev.example.test', 'dev.example.test'],
    ['Web.Localhost', 'web.localhost'],
    ['myhost', 'myhost'],
    ['192.168.1.20', '192.168.1.20'],
    ['::1', '::1'],
    ['[fe80::1]', 'fe80::1'],
  ])('accepts %j as %j', (text, host) => {
    expect(parseUrlHost(text)).toEqual({ ok: true, value: host });
  });

  it.each(['http://dev.test', 'dev.test:8080', 'dev test', '-dev.test', 'dev..test', 'a/b', 'x'.repeat(254), '[dev.test]'])('refuses %j, naming what it expects', (text) => {
    const parsed = parseUrlHost(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/^URL host must be a host name or an IP address/);
  });
});

describe('serverUrl', () => {
  it.each([
    ['127.0.0.1', 3000, 'http://127.0.0.1:3000'],
    ['dev.example.test', 8080, 'http://dev.example.test:8080'],
    ['::1', 5173, 'http://[::1]:5173'],
  ])('%s and %i give %s', (host, port, url) => {
    expect(serverUrl(host, port)).toBe(url);
  });
});
