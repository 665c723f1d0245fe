import { describe, expect, it } from 'vitest';
import { nulDiagnostics, nulPaths } from './nul-check.js';

describe('nulPaths', () => {
  it.each([
    ['a clean document', { services: { a: { cmd: 'x', args: ['y'], env: { A: 'b' } } } }, []],
    ['a value', { services: { a: { cmd: 'x\u0000y' } } }, [{ path: ['services', 'a', 'cmd'], key: false }]],
    ['a list item', { services: { a: { args: ['ok', '\u0000'] } } }, [{ path: ['services', 'a', 'args', 1], key: false }]],
    ['a key', { env: { 'A\u0000B': 'v' } }, [{ path: ['env', 'A\u0000B'], key: true }]],
    ['a top-level string', 'a\u0000', [{ path: [], key: false }]],
    ['numbers and booleans', { port: 1, container: true, image: null }, []],
  ])('%s', (_label, data, expected) => {
    expect(nulPaths(data)).toEqual(expected);
  });
});

describe('nulDiagnostics', () => {
  it('names the field and locates it', () => {
    const located = nulDiagnostics({ services: { a: { args: ['\u0000'] } } }, (path) => ({ file: 'm.yaml', line: path.length, col: 3 }));
    expect(located).toEqual([
      expect.objectContaining({ severity: 'error', code: 'nul-character', field: 'services.a.args[0]', location: { file: 'm.yaml', line: 4, col: 3 } }),
    ]);
  });
});
