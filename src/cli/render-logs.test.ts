import { describe, expect, it } from 'vitest';
import type { LogLine } from '../runtime/log-store.js';
import { logPrefixWidth, renderLogLine, unitColor } from './render-logs.js';

const TS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const out = (text: string): LogLine => ({ ts: TS, stream: 'stdout', text });
const err = (text: string): LogLine => ({ ts: TS, stream: 'stderr', text });

describe('renderLogLine', () => {
  it.each<[string, string, LogLine, { prefixWidth: number; timestamps: boolean }, string]>([
    ['stdout', 'api', out('listening on 3000'), { prefixWidth: 3, timestamps: false }, 'api | listening on 3000'],
    ['padded prefix', 'db', out('ready'), { prefixWidth: 8, timestamps: false }, 'db       | ready'],
    ['stderr is marked', 'api', err('warning: slow'), { prefixWidth: 5, timestamps: false }, 'api   ! warning: slow'],
    ['timestamps after the prefix', 'api', out('hi'), { prefixWidth: 3, timestamps: true }, 'api | 2026-01-02T03:04:05.678Z hi'],
    ['a long name is never cut', 'postgres', out('x'), { prefixWidth: 3, timestamps: false }, 'postgres | x'],
    ['a trailing carriage return is dropped', 'api', out('done\r'), { prefixWidth: 3, timestamps: false }, 'api | done'],
    ['an empty line keeps its prefix', 'api', out(''), { prefixWidth: 3, timestamps: false }, 'api | '],
  ])('%s', (_name, unit, line, options, expected) => {
    expect(renderLogLine(unit, line, { color: false, ...options })).toBe(expected);
  });

  it('colours the prefix with the unit colour and the stderr marker in red', () => {
    const color = unitColor('api');
    expect(color).toBe(unitColor('api'));
    const codes: Record<string, number> = { cyan: 36, green: 32, yellow: 33, blue: 34, magenta: 35, cyanBright: 96, greenBright: 92, yellowBright: 93, blueBright: 94, magentaBright: 95 };
    const open = `\u001b[${codes[color]}m`;
    const close = '\u001b[39m';
    expect(renderLogLine('api', out('hi'), { color: true, prefixWidth: 4, timestamps: false })).toBe(`${open}api${close}  ${open}|${close} hi`);
    expect(renderLogLine('api', err('x'), { color: true, prefixWidth: 3, timestamps: false })).toBe(`${open}api${close} \u001b[31m!\u001b[39m x`);
  });
});

describe('unitColor', () => {
  it('spreads names over several colours', () => {
    const names = ['api', 'web', 'db', 'worker', 'cache', 'queue', 'proxy', 'search'];
    expect(new Set(names.map(unitColor)).size).toBeGreaterThan(3);
  });
});

describe('logPrefixWidth', () => {
  it.each<[string[], number]>([
    [[], 0],
    [['a', 'postgres', 'web'], 8],
  ])('%j → %i', (units, width) => {
    expect(logPrefixWidth(units)).toBe(width);
  });
});
