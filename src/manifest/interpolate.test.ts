import { describe, expect, it } from 'vitest';
import { interpolateString, interpolateValue } from './interpolate.js';
import { noSource } from './source-path.js';

const vars: Record<string, string> = { HOME: '/home/me', EMPTY: '', PORT: '3000', NAME: 'web' };
const lookup = (name: string): string | undefined => vars[name];

describe('interpolateString', () => {
  it.each([
    ['plain text', 'plain text'],
    ['${HOME}/x', '/home/me/x'],
    ['a${NAME}b${PORT}', 'awebb3000'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${HOME:-fallback}', '/home/me'],
    ['${MISSING:-}', ''],
    ['${MISSING:-${NAME}-1}', 'web-1'],
    ['$$HOME', '$HOME'],
    ['$${HOME}', '${HOME}'],
    ['price: 5$', 'price: 5$'],
    ['$HOME stays for the shell', '$HOME stays for the shell'],
    ['a $ b', 'a $ b'],
    ['${units.api.url}/v1', '${units.api.url}/v1'],
  ])('%s -> %s', (text, expected) => {
    expect(interpolateString(text, lookup, true)).toMatchObject({ ok: true, value: { value: expected } });
  });

  it('records unit references and keeps their tokens', () => {
    const result = interpolateString('${units.api.url} ${units.db.port}', lookup, true);
    expect(result).toEqual({ ok: true, value: { value: '${units.api.url} ${units.db.port}', unitRefs: [{ name: 'api', token: '${units.api.url}' }, { name: 'db', token: '${units.db.port}' }] } });
  });

  it.each([
    ['${NOPE}', '`${NOPE}`: NOPE is not set', '${NOPE}'],
    ['x ${HOME', 'unterminated `${`: expected a closing `}`', '${HOME'],
    ['${1BAD}', 'invalid interpolation `${1BAD}`', '${1BAD}'],
    ['${A-b}', 'invalid interpolation `${A-b}`', '${A-b}'],
    ['${}', 'invalid interpolation `${}`', '${}'],
    ['${units.api.host}', '`${units.api.host}` is not a unit reference: expected ${units.NAME.port} or ${units.NAME.url}', '${units.api.host}'],
  ])('%s is an error', (text, message, fragment) => {
    const result = interpolateString(text, lookup, true);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error[0]).toMatchObject({ message, fragment });
  });

  it('rejects unit references where the engine does not fill them', () => {
    const result = interpolateString('${units.api.port}', lookup, false);
    expect(!result.ok && result.error[0]?.message).toBe("`${units.api.port}` can only be used in a unit's cmd, args, start, install or env");
  });

  it('reports every problem in a string', () => {
    const result = interpolateString('${A} ${B}', lookup, true);
    expect(!result.ok && result.error.map((p) => p.fragment)).toEqual(['${A}', '${B}']);
  });
});

describe('interpolateValue', () => {
  it('walks strings in maps and lists, never keys or other scalars', () => {
    const body = { cmd: '${NAME}', args: ['--port', '${PORT}', 3], env: { '${KEY}': '${HOME}' }, port: 1, container: false };
    expect(interpolateValue(body, ['services', 'x'], lookup, noSource, true)).toEqual({
      ok: true,
      value: { value: { cmd: 'web', args: ['--port', '3000', 3], env: { '${KEY}': '/home/me' }, port: 1, container: false }, unitRefs: [] },
    });
  });

  it('allows unit references only in cmd, args, start, install and env of a unit', () => {
    const ok = interpolateValue({ start: '${units.a.port}', environment: { A: '${units.a.url}' } }, ['servers', 'w'], lookup, noSource, true);
    expect(ok.ok && ok.value.unitRefs.map((r) => [r.name, r.path.join('.')])).toEqual([['a', 'servers.w.start'], ['a', 'servers.w.environment.A']]);
    const bad = interpolateValue({ path: '${units.a.url}' }, ['servers', 'w'], lookup, noSource, true);
    expect(!bad.ok && bad.error[0]).toMatchObject({ field: 'servers.w.path', code: 'interpolation' });
  });

  it('names the field in every diagnostic', () => {
    const result = interpolateValue({ environment: { A: '${NOPE}' } }, [], lookup, noSource, false);
    expect(!result.ok && result.error[0]?.message).toBe('environment.A: `${NOPE}`: NOPE is not set');
  });
});
