import { describe, expect, it } from 'vitest';
import { compileGlobs, isSafeName, isSafeRelPath, overlayRules, resolvesInside, safeMode } from './overlay-rules.js';

describe('compileGlobs (gitignore-ish)', () => {
  const cases: [string[], string, boolean, boolean][] = [
    // patterns, rel, isDir, expected
    [['node_modules'], 'node_modules', true, true],
    [['node_modules'], 'packages/a/node_modules', true, true],
    [['node_modules'], 'node_modules_extra', true, false],
    [['*.log'], 'logs/app.log', false, true],
    [['*.log'], '.hidden.log', false, true],
    [['.git'], '.git', true, true],
    [['.git'], 'sub/.git', true, true],
    [['dist/*.map'], 'dist/a.map', false, true],
    [['dist/*.map'], 'sub/dist/a.map', false, false],
    [['/build'], 'build', true, true],
    [['/build'], 'sub/build', true, false],
    [['cache/'], 'cache', true, true],
    [['cache/'], 'cache', false, false],
    [['**/tmp'], 'a/b/tmp', true, true],
    [['**/tmp'], 'tmp', true, true],
    [['*.txt', '!keep.txt'], 'keep.txt', false, false],
    [['*.txt', '!keep.txt'], 'drop.txt', false, true],
    [['!keep.txt', '*.txt'], 'keep.txt', false, true],
    [['', '   '], 'anything', false, false],
    [[], 'x', false, false],
  ];
  it.each(cases)('%j matches %s (dir %s) -> %s', (patterns, rel, isDir, expected) => {
    expect(compileGlobs(patterns)(rel, isDir)).toBe(expected);
  });
});

describe('overlayRules', () => {
  it('shares node_modules, .venv and listed names only under smart, and only directories', () => {
    const smart = overlayRules({ strategy: 'smart', ignore: [], immutable: ['vendor'] });
    expect(smart.shared('node_modules', true)).toBe(true);
    expect(smart.shared('a/b/.venv', true)).toBe(true);
    expect(smart.shared('vendor', true)).toBe(true);
    expect(smart.shared('node_modules', false)).toBe(false);
    expect(smart.shared('src', true)).toBe(false);
    const copy = overlayRules({ strategy: 'copy', ignore: [], immutable: ['vendor'] });
    expect(copy.shared('node_modules', true)).toBe(false);
  });
});

describe('names and modes', () => {
  it.each([
    ['a', true],
    ['.env', true],
    ['..a', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['a/b', false],
    ['a\0b', false],
  ])('isSafeName(%j) -> %s', (name, ok) => expect(isSafeName(name)).toBe(ok));

  it.each([
    ['a/b/c', true],
    ['a/../b', false],
    ['/abs', false],
    ['a//b', false],
  ])('isSafeRelPath(%j) -> %s', (rel, ok) => expect(isSafeRelPath(rel)).toBe(ok));

  it.each([
    [0o104755, 0o755],
    [0o102755, 0o755],
    [0o041777, 0o777],
    [0o100644, 0o644],
  ])('safeMode(%o) -> %o', (mode, expected) => expect(safeMode(mode)).toBe(expected));
});

describe('resolvesInside', () => {
  // a fake tree: rel path -> link text for links
  const links = (map: Record<string, string>) => async (rel: string) => map[rel] ?? null;
  const cases: [string, string, Record<string, string>, boolean][] = [
    ['a', 'b', {}, true],
    ['sub/a', '../b', {}, true],
    ['a', '../etc/passwd', {}, false],
    ['sub/a', '../../x', {}, false],
    ['a', '/etc', {}, false],
    ['a', '.', {}, true],
    ['a', '', {}, false],
    // lexically inside, but x -> .. makes x/.. the root's parent
    ['sub/y', 'x/..', { 'sub/x': '..' }, false],
    // through an in-tree link that goes deeper: fine
    ['y', 'x/..', { x: 'd1/d2' }, true],
    // through an absolute link
    ['y', 'x/file', { x: '/etc' }, false],
    // a loop
    ['a', 'a', { a: 'a' }, false],
  ];
  it.each(cases)('%s -> %j with %j: inside %s', async (rel, text, map, inside) => {
    expect((await resolvesInside(rel, text, links(map))).ok).toBe(inside);
  });
});
