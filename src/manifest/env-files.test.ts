import { describe, expect, it } from 'vitest';
import { err, ok } from '../shared/result.js';
import { envFileEntries, parseEnvFile, readEnvFiles, type ReadFile } from './env-files.js';
import { noSource } from './source-path.js';

const memory =
  (files: Record<string, string>): ReadFile =>
  (path) =>
    path in files ? ok(files[path]!) : err({ missing: true, message: 'no such file' });

describe('envFileEntries', () => {
  it.each([
    [undefined, []],
    ['.env', [{ path: '.env', required: true, at: ['env_file'] }]],
    [
      ['.env', { path: '.env.local', required: false }, { path: 'x' }],
      [
        { path: '.env', required: true, at: ['env_file', 0] },
        { path: '.env.local', required: false, at: ['env_file', 1, 'path'] },
        { path: 'x', required: true, at: ['env_file', 2, 'path'] },
      ],
    ],
  ] as const)('%j', (raw, expected) => {
    expect(envFileEntries(raw as never, ['env_file'])).toEqual(expected);
  });
});

describe('parseEnvFile', () => {
  it('follows dotenv and finds the line of each winning assignment', () => {
    const text = '# comment\nA=1\nexport B = "two words"\n\nC=\'x\'\nA=again\nMULTI="line1\nline2"\n';
    expect(parseEnvFile(text)).toEqual({
      A: { value: 'again', line: 6 },
      B: { value: 'two words', line: 3 },
      C: { value: 'x', line: 5 },
      MULTI: { value: 'line1\nline2', line: 7 },
    });
  });
});

describe('readEnvFiles', () => {
  it('reads files in order relative to the folder, with provenance and digests', () => {
    const result = readEnvFiles(envFileEntries(['.env', 'sub/.env'], ['env_file']), '/p', memory({ '/p/.env': 'A=1\n', '/p/sub/.env': 'A=2\nB=3\n' }), noSource);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.layers).toEqual([
      { A: { value: '1', source: { kind: 'env-file', file: '/p/.env', line: 1 } } },
      { A: { value: '2', source: { kind: 'env-file', file: '/p/sub/.env', line: 1 } }, B: { value: '3', source: { kind: 'env-file', file: '/p/sub/.env', line: 2 } } },
    ]);
    expect(result.value.refs.map((r) => [r.path, r.sha256?.length])).toEqual([['/p/.env', 64], ['/p/sub/.env', 64]]);
  });

  it('skips a missing optional file and records it with no digest', () => {
    const result = readEnvFiles(envFileEntries([{ path: '.env.local', required: false }], ['env_file']), '/p', memory({}), noSource);
    expect(result).toEqual({ ok: true, value: { layers: [], refs: [{ path: '/p/.env.local', required: false, sha256: null }] } });
  });

  it('reports a missing required file at its declaration, with the path it looked for', () => {
    const result = readEnvFiles(envFileEntries(['.env', 'b.env'], ['servers', 'w', 'env_file']), '/p', memory({}), noSource);
    expect(!result.ok && result.error.map((d) => [d.code, d.field, d.message])).toEqual([
      ['env-file-missing', 'servers.w.env_file[0]', 'env file .env not found (looked for /p/.env)'],
      ['env-file-missing', 'servers.w.env_file[1]', 'env file b.env not found (looked for /p/b.env)'],
    ]);
  });

  it('reports an unreadable file even when optional', () => {
    const unreadable: ReadFile = () => err({ missing: false, message: 'permission denied' });
    const result = readEnvFiles(envFileEntries([{ path: 'x', required: false }], ['env_file']), '/p', unreadable, noSource);
    expect(!result.ok && result.error[0]?.message).toBe('env file x cannot be read: permission denied');
  });
});
