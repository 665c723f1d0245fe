import { describe, expect, it } from 'vitest';
import { canonicalJson, launchFingerprint, type LaunchFields } from './fingerprint.js';

const base: LaunchFields = {
  argv: ['node', 'server.js'],
  cwd: '/p',
  env: {
    A: { value: '1', source: { kind: 'manifest', key: 'env.A' }, secret: false },
    HOME: { value: '/root', source: { kind: 'sbx-environment' }, secret: false },
  },
  env_files: [{ path: '/p/.env', required: true, sha256: 'aaa' }],
  user: null,
  port: 3000,
  strict_port: false,
  container: false,
  image: null,
  install: null,
};

describe('launchFingerprint', () => {
  const before = launchFingerprint(base);

  it('is a stable sha256', () => {
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(launchFingerprint(structuredClone(base))).toBe(before);
  });

  it.each<[string, Partial<LaunchFields>]>([
    ['argv', { argv: ['node', 'other.js'] }],
    ['cwd', { cwd: '/q' }],
    ['a declared env value', { env: { ...base.env, A: { ...base.env.A!, value: '2' } } }],
    ['a new declared variable', { env: { ...base.env, B: { value: '', source: { kind: 'manifest', key: 'env.B' }, secret: false } } }],
    ['an env file content', { env_files: [{ path: '/p/.env', required: true, sha256: 'bbb' }] }],
    ['user', { user: 'nobody' }],
    ['port', { port: 3001 }],
    ['strict_port', { strict_port: true }],
    ['container', { container: true }],
    ['image', { image: 'node:20' }],
    ['install', { install: 'npm ci' }],
  ])('changes with %s', (_field, change) => {
    expect(launchFingerprint({ ...base, ...change })).not.toBe(before);
  });

  it('ignores variables inherited from sbx own environment', () => {
    expect(launchFingerprint({ ...base, env: { ...base.env, HOME: { ...base.env.HOME!, value: '/other' } } })).toBe(before);
  });

  it('does not depend on the order env variables were merged in', () => {
    const reversed = Object.fromEntries(Object.entries(base.env).reverse());
    expect(launchFingerprint({ ...base, env: reversed })).toBe(before);
  });
});

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [2, { d: null, c: 'x' }] }, '{"a":[2,{"c":"x","d":null}],"b":1}'],
    [{ a: undefined, b: 1 }, '{"b":1}'],
    ['s', '"s"'],
    [null, 'null'],
  ])('%j', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});
