import { describe, expect, it } from 'vitest';
import { checkRequest, tcpGuard, tokenMatches } from './tcp-guard.js';

const token = 'k'.repeat(43);
const guard = tcpGuard({ host: '127.0.0.1', port: 7777 }, token);
const auth = { authorization: `Bearer ${token}` };

describe('checkRequest', () => {
  it.each([
    ['the listener’s own Host', { host: '127.0.0.1:7777', ...auth }],
    ['localhost as Host', { host: 'LOCALHOST:7777', ...auth }],
    ['its own Origin', { host: '127.0.0.1:7777', origin: 'http://127.0.0.1:7777', ...auth }],
  ])('lets through %s with the token', (_label, headers) => {
    expect(checkRequest(guard, headers)).toBeNull();
  });

  it.each([
    ['no Host', { ...auth }, 421],
    ['a foreign Host (DNS rebinding)', { host: 'evil.example:7777', ...auth }, 421],
    ['the right host on another port', { host: '127.0.0.1:8888', ...auth }, 421],
    ['a foreign Origin', { host: '127.0.0.1:7777', origin: 'http://evil.example', ...auth }, 403],
    ['Origin null', { host: '127.0.0.1:7777', origin: 'null', ...auth }, 403],
    ['an https Origin of the same host', { host: '127.0.0.1:7777', origin: 'https://127.0.0.1:7777', ...auth }, 403],
    ['no token', { host: '127.0.0.1:7777' }, 401],
    ['a wrong token', { host: '127.0.0.1:7777', authorization: `Bearer ${token.slice(1)}x` }, 401],
    ['a token prefix', { host: '127.0.0.1:7777', authorization: `Bearer ${token.slice(0, 10)}` }, 401],
    ['another scheme', { host: '127.0.0.1:7777', authorization: `Basic ${token}` }, 401],
  ])('refuses %s', (_label, headers, status) => {
    expect(checkRequest(guard, headers)?.status).toBe(status);
  });

  it('compares tokens of any length (equal-length digests), and never echoes what it got', () => {
    expect(tokenMatches(guard, token)).toBe(true);
    expect(tokenMatches(guard, '')).toBe(false);
    expect(tokenMatches(guard, token.repeat(100))).toBe(false);
    expect(JSON.stringify(checkRequest(guard, { host: 'x-secret-host' }))).not.toContain('x-secret-host');
  });
});
