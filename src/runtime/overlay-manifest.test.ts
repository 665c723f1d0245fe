import { describe, expect, it } from 'vitest';
import { parseManifest, serializeManifest, type ManifestEntries } from './overlay-manifest.js';

describe('overlay manifest', () => {
  it('round-trips entries', () => {
    const entries: ManifestEntries = new Map([
      ['src', { t: 'd' }],
      ['src/a.ts', { t: 'f', src: [1, 2, 3.5, 4.5, 0o644], dst: [9, 2, 3.5, 0o644] }],
      ['link', { t: 'l', x: 'src/a.ts' }],
      ['node_modules', { t: 's', x: '/tpl/node_modules' }],
    ]);
    expect(parseManifest(serializeManifest({ source: '/tpl', strategy: 'smart' }, entries))).toEqual(entries);
  });

  it.each([
    ['not json', 'nope'],
    ['wrong version', JSON.stringify({ version: 2, entries: { a: { t: 'd' } } })],
    ['entries not an object', JSON.stringify({ version: 1, entries: [] })],
    ['null', 'null'],
  ])('treats %s as empty', (_label, text) => {
    expect(parseManifest(text).size).toBe(0);
  });

  it.each([
    ['../escape', { t: 'd' }],
    ['/abs', { t: 'd' }],
    ['a/../../b', { t: 'l', x: 'x' }],
    ['a//b', { t: 'd' }],
    ['ok', { t: 'f', src: [1, 2], dst: [1, 2, 3, 4] }],
    ['ok2', { t: 'q' }],
    ['ok3', { t: 'l' }],
  ])('drops the unsafe or malformed entry %s', (rel, entry) => {
    const text = JSON.stringify({ version: 1, entries: { [rel]: entry, good: { t: 'd' } } });
    expect([...parseManifest(text).keys()]).toEqual(['good']);
  });
});
