import { describe, expect, it } from 'vitest';
import { isWithin, placementProblem } from './overlay-placement.js';

describe('overlay placement', () => {
  it.each([
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/ab', '/a', false],
    ['/x', '/', true],
    ['/a', '/a/b', false],
  ])('isWithin(%s, %s) -> %s', (child, parent, expected) => expect(isWithin(child, parent)).toBe(expected));

  it.each([
    ['/src', '/', 'filesystem root'],
    ['/src', '/src', 'is the source itself'],
    ['/src', '/src/out', 'inside the source'],
    ['/p/tpl', '/p', 'source /p/tpl is inside the target'],
  ])('refuses source %s with target %s', (source, target, text) => {
    expect(placementProblem(source, target)).toContain(text);
  });

  it('accepts siblings and prefixes that are not parents', () => {
    expect(placementProblem('/p/tpl', '/p/work')).toBeNull();
    expect(placementProblem('/p/tpl', '/p/tpl-copy')).toBeNull();
  });
});
