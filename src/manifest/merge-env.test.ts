import { describe, expect, it } from 'vitest';
import { lookupIn, manifestEnvLayer, mergeEnv, sbxEnvironmentLayer, type EnvLayer } from './merge-env.js';
import { noSource } from './source-path.js';

const file = (path: string, vars: Record<string, string>): EnvLayer =>
  Object.fromEntries(Object.entries(vars).map(([k, value], i) => [k, { value, source: { kind: 'env-file', file: path, line: i + 1 } }]));

describe('mergeEnv: precedence, lowest first', () => {
  const layers = [
    sbxEnvironmentLayer({ A: 'sbx', B: 'sbx', C: 'sbx', D: 'sbx', E: 'sbx', UNSET: undefined }),
    file('/p/.env', { B: 'project-file', C: 'project-file', D: 'project-file', E: 'project-file' }),
    manifestEnvLayer({ C: 'project-env', D: 'project-env', E: 'project-env' }, ['environment'], noSource),
    file('/p/unit.env', { D: 'unit-file', E: 'unit-file' }),
    manifestEnvLayer({ E: 'unit-env' }, ['services', 'x', 'env'], noSource),
  ];
  const merged = mergeEnv(layers);

  it.each([
    ['A', 'sbx', { kind: 'sbx-environment' }],
    ['B', 'project-file', { kind: 'env-file', file: '/p/.env', line: 1 }],
    ['C', 'project-env', { kind: 'manifest', key: 'environment.C' }],
    ['D', 'unit-file', { kind: 'env-file', file: '/p/unit.env', line: 1 }],
    ['E', 'unit-env', { kind: 'manifest', key: 'services.x.env.E' }],
  ])('%s = %s', (name, value, source) => {
    expect(merged[name]).toEqual({ value, source, secret: false });
  });

  it('drops unset variables of sbx environment', () => {
    expect(merged.UNSET).toBeUndefined();
  });

  it('marks secret-looking names', () => {
    expect(mergeEnv([sbxEnvironmentLayer({ API_TOKEN: 't', PWD: '/x' })])).toMatchObject({ API_TOKEN: { secret: true }, PWD: { secret: false } });
  });

  it('turns numbers and booleans into strings', () => {
    expect(manifestEnvLayer({ PORT: 5432, DEBUG: true }, ['env'], noSource)).toMatchObject({ PORT: { value: '5432' }, DEBUG: { value: 'true' } });
  });

  it('looks variables up through the same precedence', () => {
    expect(lookupIn(layers)('D')).toBe('unit-file');
    expect(lookupIn(layers)('NOPE')).toBeUndefined();
  });
});
