import { describe, expect, it } from 'vitest';
import { findExcessiveNesting, MAX_NESTING } from './nesting.js';

const deepBlockMaps = (levels: number): string => Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';

describe('findExcessiveNesting', () => {
  it.each([
    ['a real manifest', 'version: 1\nservices:\n  api:\n    cmd: node\n    args: [a, "[[[["]\n    env: { A: "{" }\n    needs: [{ name: db, restart: true }]\n'],
    ['brackets inside a block scalar', `a: |\n  ${'['.repeat(500)}\n`],
    ['brackets inside quotes', `a: "${'['.repeat(500)}"\n`],
    ['brackets in a comment', `# ${'['.repeat(500)}\na: 1\n`],
    ['flow nesting at the limit', `a: ${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}\n`],
    ['many siblings', Array.from({ length: 2000 }, (_, i) => `k${i}: [1, {a: 2}]`).join('\n')],
  ])('accepts %s', (_what, text) => {
    expect(findExcessiveNesting(text)).toBeNull();
  });

  it.each([
    ['deep flow lists', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 3],
    ['deep flow mappings', `a: ${'{a: '.repeat(200)}1${'}'.repeat(200)}\n`, 3],
    ['compact block sequences', `a:\n  ${'- '.repeat(300)}x\n`, 5],
    ['deep block mappings', deepBlockMaps(300), 0],
  ])('refuses %s, at the token that went past the limit', (_what, text, minOffset) => {
    const found = findExcessiveNesting(text);
    expect(found).not.toBeNull();
    expect(found!.depth).toBe(MAX_NESTING + 1);
    expect(found!.offset).toBeGreaterThanOrEqual(minOffset);
    expect(found!.offset).toBeLessThan(text.length);
  });
});
