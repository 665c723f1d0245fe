import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration } from './format-time.js';

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0 ms'],
    [-5, '0 ms'],
    [850, '850 ms'],
    [1000, '1.0 s'],
    [1234, '1.2 s'],
    [1499, '1.4 s'],
    [9999, '9.9 s'],
    [12_400, '12 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
    [3_600_000, '1 h'],
    [5_460_000, '1 h 31 min'],
  ])('%i ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatAge', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [125_000, '2m5s'],
    [900_000, '15m'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [11 * 3_600_000 + 60_000, '11h'],
    [3 * 86_400_000, '3d'],
  ])('%i ms → %s', (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});
