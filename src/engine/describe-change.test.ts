// describeChange: the field-level reasons `sbx diff` prints, with values never shown.

import { describe, expect, it } from 'vitest';
import { describeChange } from './describe-change.js';
import { unitSpec, type UnitSpecInput } from './testing/spec-builder.js';

const fromFile = (value: string, line: number) => ({ value, source: { kind: 'env-file' as const, file: '/p/.env.local', line }, secret: true });

const cases: [string, UnitSpecInput, UnitSpecInput, { restart?: string[]; update?: string[] }][] = [
  ['identical specs', {}, {}, {}],
  ['command', { cmd: 'a' }, { cmd: 'b', argv: ['b'] }, { restart: ['command changed'] }],
  ['server start line', { kind: 'server', cmd: 'npm start' }, { kind: 'server', cmd: 'npm run dev' }, { restart: ['start command changed'] }],
  ['args', { args: ['-a'] }, { args: ['-b'] }, { restart: ['args changed'] }],
  ['argv only', { argv: ['x', '1'] }, { argv: ['x', '2'] }, { restart: ['command line changed'] }],
  ['install', { install: 'npm ci' }, { install: 'npm i' }, { restart: ['install changed'] }],
  ['cwd', { cwd: '/a' }, { cwd: '/b' }, { restart: ['working directory changed'] }],
  ['env value, with provenance', { env: { DB_URL: fromFile('a', 3) } }, { env: { DB_URL: fromFile('b', 4) } }, { restart: ['env DB_URL changed (.env.local:4)'] }],
  ['env added and removed', { env: { OLD: 'x' } }, { env: { NEW: 'y' } }, { restart: ['env NEW added', 'env OLD removed'] }],
  ['env source moved, same value', { env: { A: fromFile('v', 1) } }, { env: { A: fromFile('v', 9) } }, {}],
  [
    'env file content',
    { env_files: [{ path: '/p/.env', required: true, sha256: '1' }] },
    { env_files: [{ path: '/p/.env', required: true, sha256: '2' }] },
    { restart: ['env file .env changed'] },
  ],
  [
    'env file added',
    { env_files: [] },
    { env_files: [{ path: '/p/.env.local', required: false, sha256: null }] },
    { restart: ['env file .env.local added'] },
  ],
  ['user, port, image', { user: null, port: 1, image: 'a' }, { user: 'nobody', port: 2, image: 'b' }, { restart: ['user changed', 'port changed', 'image changed'] }],
  ['restart settings', { max_restarts: 1, restart_delay_ms: 1 }, { max_restarts: 2, restart_delay_ms: 2 }, { update: ['max_restarts changed', 'restart_delay_ms changed'] }],
  ['stop timeout', { stop_timeout_ms: 1 }, { stop_timeout_ms: 2 }, { update: ['stop_timeout_ms changed'] }],
  [
    'health check',
    { health_check: { path: '/', interval_ms: 1, timeout_ms: 1, delay_ms: 1 } },
    { health_check: { path: '/health', interval_ms: 1, timeout_ms: 1, delay_ms: 1 } },
    { update: ['health_check changed'] },
  ],
  ['needs', { needs: ['a'] }, { needs: ['a', 'b'] }, { update: ['needs changed'] }],
  ['location only', { location: { file: 'f', line: 1, col: 1 } }, { location: { file: 'f', line: 2, col: 1 } }, {}],
];

describe('describeChange', () => {
  it.each(cases)('%s', (_name, before, after, expected) => {
    expect(describeChange(unitSpec('u', before), unitSpec('u', after))).toEqual({ restart: expected.restart ?? [], update: expected.update ?? [] });
  });

  it('never includes a value', () => {
    const change = describeChange(unitSpec('u', { env: { KEY: 'old-secret' } }), unitSpec('u', { env: { KEY: 'new-secret' } }));
    expect(JSON.stringify(change)).not.toMatch(/secret/);
  });
});
