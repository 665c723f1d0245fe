import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['restart_polcy', 'restart_policy', 1],
    ['ab', 'ba', 1],
    ['helth_port', 'health_port', 1],
  ])('%s -> %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggest', () => {
  const keys = ['cmd', 'args', 'env', 'restart_policy', 'restart_delay_ms', 'health_port', 'health_check'];
  it.each([
    ['restart_polcy', 'restart_policy'],
    ['health_prot', 'health_port'],
    ['healthcheck', 'health_check'],
    ['agrs', 'args'],
    ['Restart_Policy', 'restart_policy'],
    ['zzz', undefined],
    ['environment', undefined],
    ['e', undefined],
  ])('%s -> %s', (word, expected) => {
    expect(suggest(word, keys)).toBe(expected);
  });

  it('answers at once for a huge word (no length × length matrix)', () => {
    const started = performance.now();
    expect(suggest('a'.repeat(65_537), keys)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('breaks ties alphabetically so hints are stable', () => {
    expect(suggest('ab', ['ac', 'aa'])).toBe('aa');
  });

  it('phrases a hint', () => {
    expect(didYouMean('postgress', ['postgres', 'redis'])).toBe('did you mean `postgres`?');
    expect(didYouMean('x', ['postgres'])).toBeUndefined();
  });
});
