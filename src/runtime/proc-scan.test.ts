import { describe, expect, it } from 'vitest';
import { environValue, isDeadState, isSameLiveProcess, parseStat } from './proc-scan.js';

// A real stat line (kernel 6.x, 52 fields) with the start time (field 22) = 123456.
const statLine = (comm: string, state = 'S', start = '123456'): string =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 120 0 0 0 0 0 0 0 20 0 1 0 ${start} 2719744 128 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;

describe('parseStat', () => {
  it.each([
    ['plain name', statLine('sleep'), { state: 'S', startTime: 123456 }],
    ['name with spaces and parens', statLine('evil) R 1 2 (x'), { state: 'S', startTime: 123456 }],
    ['zombie', statLine('sh', 'Z', '99'), { state: 'Z', startTime: 99 }],
    ['empty name', statLine(''), { state: 'S', startTime: 123456 }],
  ])('reads state and field 22 after the last ")" (%s)', (_label, text, expected) => {
    expect(parseStat(text)).toEqual(expected);
  });

  it.each([
    ['no parenthesis', '4242 sleep S 1'],
    ['truncated', '4242 (sleep) S 1 2 3'],
    ['non-numeric start time', statLine('sleep', 'S', 'abc')],
    ['empty', ''],
  ])('returns null for %s', (_label, text) => {
    expect(parseStat(text)).toBeNull();
  });
});

describe('isSameLiveProcess / isDeadState', () => {
  it.each([
    [{ state: 'S', startTime: 5 }, 5, true],
    [{ state: 'R', startTime: 5 }, 6, false],
    [{ state: 'Z', startTime: 5 }, 5, false],
    [{ state: 'X', startTime: 5 }, 5, false],
    [null, 5, false],
  ])('%j with start time %d → %s', (stat, startTime, expected) => {
    expect(isSameLiveProcess(stat, startTime)).toBe(expected);
  });

  it('treats only zombie and dead states as dead', () => {
    expect(['Z', 'X', 'x'].map(isDeadState)).toEqual([true, true, true]);
    expect(['R', 'S', 'D', 'T', 't', 'I'].map(isDeadState)).toEqual([false, false, false, false, false, false]);
  });
});

describe('environValue', () => {
  const env = (...entries: string[]): Buffer => Buffer.from(`${entries.join('\0')}\0`);
  it.each([
    ['first entry', env('SBX_TAG=a.1', 'PATH=/bin'), 'a.1'],
    ['later entry', env('PATH=/bin', 'SBX_TAG=a.1'), 'a.1'],
    ['no trailing NUL', Buffer.from('PATH=/bin\0SBX_TAG=a.1'), 'a.1'],
    ['empty value', env('SBX_TAG='), ''],
    ['only as a suffix of another name', env('XSBX_TAG=a.1'), null],
    ['only inside a value', env('NOTE=SBX_TAG=a.1'), null],
    ['suffix then real', env('XSBX_TAG=x', 'SBX_TAG=y'), 'y'],
    ['absent', env('PATH=/bin'), null],
    ['empty environ (zombie)', Buffer.alloc(0), null],
  ])('%s', (_label, environ, expected) => {
    expect(environValue(environ, 'SBX_TAG')).toBe(expected);
  });
});
