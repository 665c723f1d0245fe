import { describe, expect, it } from 'vitest';
import { markEmbeddedSecrets } from './secret-taint.js';
import type { EnvVar } from './types.js';

const file = (value: string): EnvVar => ({ value, source: { kind: 'env-file', file: '/p/.env', line: 1 }, secret: false });
const set = (value: string, secret = false): EnvVar => ({ value, source: { kind: 'manifest', key: 'env.X' }, secret });

describe('markEmbeddedSecrets', () => {
  it.each([
    ['a manifest value embedding an env-file value', { PASS: file('hunter22'), URL: set('pg://u:hunter22@db') }, ['URL']],
    ['a manifest value embedding a secret-named inline value', { TOKEN: set('t0k3n', true), HEADER: set('Bearer t0k3n') }, ['HEADER', 'TOKEN']],
    ['short values are not looked for', { N: file('1'), COUNT: set('10') }, []],
    ['values that embed nothing stay plain', { PASS: file('hunter22'), MODE: set('production') }, []],
  ])('%s', (_label, env, secret) => {
    const marked = markEmbeddedSecrets(env as Record<string, EnvVar>);
    expect(Object.keys(marked).filter((name) => marked[name]?.secret).sort()).toEqual(secret);
  });
});
