import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['30', 30_000],
    [' 10s ', 10_000],
    ['0', 0],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '-5s', '10 s', '1d', 's'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());
});
