import { describe, expect, it } from 'vitest';
import { err, ok } from '../shared/result.js';
import { resolveApiUnit, type ApiUnitRequest } from './api-unit.js';
import type { ReadFile } from './env-files.js';

const files: Record<string, string> = { '/app/.env.production': 'NODE_ENV=production\nAPI_TOKEN=t\n' };
const readFile: ReadFile = (path) => (path in files ? ok(files[path]!) : err({ missing: true, message: 'no such file' }));
const resolve = (request: Partial<ApiUnitRequest> & Pick<ApiUnitRequest, 'kind' | 'body'>) =>
  resolveApiUnit({ name: 'api', baseDir: '/proj', env: { HOME: '/root' }, ...request }, { readFile, userExists: (n) => n === 'nobody' });

describe('resolveApiUnit', () => {
  it('resolves the services seed body', () => {
    const result = resolve({ kind: 'service', name: 'redis', body: { cmd: 'redis-server', args: ['--port', '6379'], env: { REDIS_LOGLEVEL: 'warning' }, working_dir: '/data', user: 'nobody', health_port: 6379, needs: ['postgres'], container: false, image: '' } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.overlays).toEqual([]);
    expect(result.value.unit).toMatchObject({ name: 'redis', kind: 'service', argv: ['redis-server', '--port', '6379'], cwd: '/data', user: 'nobody', health_port: 6379, needs: [{ name: 'postgres', restart: false }], image: null });
    expect(result.value.unit.env.REDIS_LOGLEVEL?.source).toEqual({ kind: 'manifest', key: 'env.REDIS_LOGLEVEL' });
    expect(result.value.unit.location).toBeUndefined();
  });

  it('resolves a servers seed body with slug, env file relative to path, and inline overlay', () => {
    const result = resolve({ kind: 'server', name: 'web', body: { slug: 'web', start: 'npm run dev', path: '/app', env_file: '.env.production', environment: { DEBUG: 'true' }, overlay: { source: '/templates/react', target: '/app', strategy: 'smart' } } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.unit).toMatchObject({ name: 'web', argv: ['/bin/sh', '-c', 'npm run dev'], cwd: '/app', overlays: ['web-overlay'] });
    expect(result.value.unit.env.NODE_ENV).toMatchObject({ value: 'production', source: { kind: 'env-file', file: '/app/.env.production', line: 1 } });
    expect(result.value.unit.env.API_TOKEN?.secret).toBe(true);
    expect(result.value.overlays).toEqual([expect.objectContaining({ name: 'web-overlay', source: '/templates/react', target: '/app', strategy: 'smart' })]);
  });

  it('lists needs naming known overlays among the overlays', () => {
    const result = resolveApiUnit({ kind: 'service', name: 'a', body: { cmd: 'x', needs: ['tpl', 'db'] }, baseDir: '/p', env: {}, overlayNames: ['tpl'] }, { readFile });
    expect(result.ok && result.value.unit.overlays).toEqual(['tpl']);
  });

  it('keeps unit references for the engine', () => {
    const result = resolve({ kind: 'service', body: { cmd: 'x', env: { DB: '${units.db.url}' } } });
    expect(result.ok && result.value.unit).toMatchObject({ unit_refs: ['db'], needs: [{ name: 'db', restart: false }] });
  });

  it.each([
    ['a bad field', { kind: 'service', body: { cmd: 'redis-server', health_port: '6379x' } }, 'health_port', 'health_port must be an integer, got "6379x"'],
    ['a bad name', { kind: 'service', name: 'Bad_Name', body: { cmd: 'x' } }, 'name', "`Bad_Name` is not a valid name (lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters)"],
    ['a slug that disagrees', { kind: 'server', name: 'web', body: { slug: 'api', start: 'x' } }, 'slug', 'slug "api" does not match the unit\'s name `web`'],
    ['a body that is not an object', { kind: 'service', body: [1] }, '', 'the service body must be a JSON object'],
    ['a missing env file', { kind: 'server', body: { start: 'x', env_file: 'nope.env' } }, 'env_file', 'env file nope.env not found (looked for /proj/nope.env)'],
    ['an unset variable', { kind: 'service', body: { cmd: '${NOPE}' } }, 'cmd', 'cmd: `${NOPE}`: NOPE is not set'],
    ['an unknown user', { kind: 'service', body: { cmd: 'x', user: 'ghost' } }, 'user', 'there is no user `ghost` on this machine'],
    ['a misspelt key', { kind: 'server', body: { start: 'x', helth_check: {} } }, 'helth_check', 'unknown key `helth_check` in the server body'],
  ] as const)('reports %s with its field', (_what, request, field, message) => {
    const result = resolve(request as never);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error[0]).toMatchObject({ field, message, severity: 'error' });
  });
});
