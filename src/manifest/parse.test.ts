import { describe, expect, it } from 'vitest';
import { parseManifest } from './parse.js';

const FILE = '/p/sandbox.yaml';
const TEXT = `version: 1
services:
  redis:
    cmd: redis-server
    args: [--port, "6379"]
    env:
      LEVEL: warning
overlays:
  - name: tpl
    source: ./a
defaults: &defaults
  restart_policy: always
servers:
  web:
    <<: *defaults
    start: "npm run dev"
`;

const parsed = (() => {
  const result = parseManifest(TEXT, FILE);
  if (!result.ok) throw new Error('fixture must parse');
  return result.value;
})();

describe('parseManifest', () => {
  it('returns plain data, merge keys applied', () => {
    expect(parsed.data).toMatchObject({ version: 1, services: { redis: { args: ['--port', '6379'] } }, servers: { web: { restart_policy: 'always', start: 'npm run dev' } } });
  });

  it.each([
    ['a value', ['services', 'redis', 'cmd'], {}, { line: 4, col: 10, length: 12 }],
    ['a key', ['services', 'redis', 'cmd'], { key: true }, { line: 4, col: 5, length: 3 }],
    ['a list item', ['services', 'redis', 'args', 1], {}, { line: 5, col: 20, length: 6 }],
    ['a mapping, by its key', ['services', 'redis'], {}, { line: 3, col: 3, length: 5 }],
    ['a list entry that is a mapping', ['overlays', 0], {}, { line: 9, col: 5 }],
    ['a path that is not written, at its deepest written key', ['services', 'redis', 'nope', 'deeper'], {}, { line: 3, col: 3 }],
    ['a merged value, at the merging mapping', ['servers', 'web', 'restart_policy'], {}, { line: 14, col: 3 }],
    ['the root', [], {}, { line: 1, col: 1 }],
    ['a fragment inside a quoted string', ['servers', 'web', 'start'], { fragment: 'run' }, { line: 16, col: 17, length: 3 }],
    ['a fragment that is not found, at the value', ['servers', 'web', 'start'], { fragment: 'zzz' }, { line: 16, col: 12 }],
  ] as const)('locates %s', (_what, path, options, expected) => {
    expect(parsed.locate(path, options)).toMatchObject({ file: FILE, ...expected });
  });

  it.each([
    ['an unclosed flow list, at its bracket', 'a: [1, 2\nb: 3\n', 'yaml-syntax', 1],
    ['a duplicate key', 'a: 1\na: 2\n', 'yaml-syntax', 2],
    ['an unclosed quote', 'a:\n  b: "x\n', 'yaml-syntax', 2],
    ['a second document', 'a: 1\n---\nb: 2\n', 'yaml-syntax', 2],
    ['a tab as indentation', 'a:\n\tb: 1\n', 'yaml-syntax', 2],
    // Found by the manifest fuzz (test/reliability/manifest-fuzz.test.ts): these used to throw out of the loader.
    ['an alias used before its anchor', 'a: [*x]\nb: &x 1\n', 'yaml-syntax', 1],
    ['an alias of an anchor that is never set', 'a: 1\nb: { <<: *nope }\n', 'yaml-syntax', 2],
    ['a merge key on a scalar', 'a: &s 1\nb: { <<: *s }\n', 'yaml-syntax', 2],
    ['a bounded alias bomb', `l0: &l0 [x]\n${Array.from({ length: 8 }, (_, i) => `l${i + 1}: &l${i + 1} [${`*l${i}, `.repeat(9)}*l${i}]`).join('\n')}\n`, 'yaml-syntax', 2],
  ])('reports %s as a located error', (_what, text, code, line) => {
    const result = parseManifest(text, FILE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error[0]).toMatchObject({ severity: 'error', code, location: { file: FILE, line } });
    expect(result.error[0]!.message).toMatch(/^invalid YAML: /);
  });

  it('reports nesting deeper than the parser can follow as a located error', () => {
    const result = parseManifest(`a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, FILE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error[0]).toMatchObject({ severity: 'error', code: 'yaml-syntax', location: { file: FILE, line: 1 } });
  });

  it('reads an empty file as null data', () => {
    const result = parseManifest('# nothing\n', FILE);
    expect(result.ok && result.value.data).toBeNull();
  });
});
