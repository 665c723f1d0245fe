import { describe, expect, it } from 'vitest';
import { buildWatchScope } from './watch-scope.js';

const scope = buildWatchScope({
  files: ['/p/sandbox.yaml', '/p/.env', 'config/.env.local'],
  dirs: ['/p/templates/web'],
  cwd: '/p',
});

describe('buildWatchScope', () => {
  it('watches parents of files and the folders themselves', () => {
    expect(scope.roots).toEqual(['/p', '/p/config', '/p/templates/web']);
  });

  it.each<[string, boolean, boolean]>([
    ['/p/sandbox.yaml', true, true],
    ['/p/.env', true, true],
    ['/p/config/.env.local', true, true],
    ['/p', true, false],
    ['/p/config', true, false],
    ['/p/README.md', false, false],
    ['/p/.sandbox.yaml.tmp', false, false],
    ['/p/.sbx', false, false],
    ['/p/templates', true, false],
    ['/', true, false],
    ['/p/templates/web', true, true],
    ['/p/templates/web/src/app.ts', true, true],
    ['/p/templates/web/node_modules', false, false],
    ['/p/templates/web/node_modules/x/index.js', false, false],
    ['/p/templates/web/.sbx/state.json', false, false],
    ['/p/templates/website/x', false, false],
  ])('%s: admitted %s, relevant %s', (candidate, admitted, relevant) => {
    expect(scope.admits(candidate)).toBe(admitted);
    expect(scope.isRelevant(candidate)).toBe(relevant);
  });

  it('admits every folder on the way to a watched path, so a missing folder is seen when it appears', () => {
    expect([...scope.ancestors].sort()).toEqual(['/', '/p', '/p/config', '/p/templates', '/p/templates/web']);
  });

  it('gives equal keys to equal sets in any order', () => {
    const a = buildWatchScope({ files: ['/p/b', '/p/a', '/p/a'], dirs: [] });
    const b = buildWatchScope({ files: ['/p/a', '/p/b'] });
    expect(a.key).toBe(b.key);
    expect(buildWatchScope({ files: ['/p/a'] }).key).not.toBe(b.key);
  });
});
