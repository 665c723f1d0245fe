import { describe, expect, it } from 'vitest';
import type { RawNeed, RawServer, RawService, RawUnit } from './raw-manifest.js';
import { normalizeNeeds, resolveInlineOverlay, resolveOverlay, resolveUnit, unitCwd, unitEnvFileDir } from './resolve.js';

const lifecycle = { strict_port: false, needs: [] as RawNeed[], restart_policy: 'never' as const, max_restarts: 0, restart_delay_ms: 1000, stop_timeout_ms: 10000 };
const service = (body: Partial<RawService> = {}): RawUnit => ({ kind: 'service', name: 'db', base: ['services', 'db'], body: { ...lifecycle, cmd: 'postgres', args: [], container: false, ...body } });
const server = (body: Partial<RawServer> = {}): RawUnit => ({ kind: 'server', name: 'web', base: ['servers', 'web'], body: { ...lifecycle, start: 'npm run dev', ...body } });
const inputs = { dir: '/p', env: {}, envFiles: [], unitRefs: [], overlayNames: new Set(['tpl', 'web-overlay']) };

describe('resolveUnit', () => {
  it.each([
    ['a service runs cmd with args', service({ args: ['-D', 5432] }), { argv: ['postgres', '-D', '5432'], cmd: 'postgres', args: ['-D', '5432'], install: null }],
    ['a server runs its start line in a shell', server({ install: 'npm ci' }), { argv: ['/bin/sh', '-c', 'npm run dev'], cmd: 'npm run dev', args: [], install: 'npm ci' }],
    ['a service works in the manifest folder by default', service(), { cwd: '/p' }],
    ['working_dir is relative to the manifest folder', service({ working_dir: './data' }), { cwd: '/p/data' }],
    ['a server path is relative to the manifest folder', server({ path: 'app' }), { cwd: '/p/app' }],
    ['an absolute path stays', server({ path: '/srv/app' }), { cwd: '/srv/app' }],
    ['unset optional fields are null', service(), { user: null, port: null, health_port: null, health_check: null, image: null, container: false }],
    ['an empty image is no image', service({ image: '' }), { image: null }],
    ['a container service keeps its image', service({ container: true, image: 'postgres:16' }), { container: true, image: 'postgres:16' }],
    ['lifecycle fields pass through', server({ restart_policy: 'on-failure', max_restarts: 5, restart_delay_ms: 2000, stop_timeout_ms: 15000, port: 3000, strict_port: true }), { restart_policy: 'on-failure', max_restarts: 5, restart_delay_ms: 2000, stop_timeout_ms: 15000, port: 3000, strict_port: true }],
    ['needs are normalised; overlays among them listed', server({ needs: ['db', { name: 'cache', restart: true }, 'tpl'] }), { needs: [{ name: 'db', restart: false }, { name: 'cache', restart: true }, { name: 'tpl', restart: false }], overlays: ['tpl'] }],
    ['an inline overlay is needed', server({ overlay: { source: 's', target: 't', strategy: 'copy', ignore: [] } }), { needs: [{ name: 'web-overlay', restart: false }], overlays: ['web-overlay'] }],
  ])('%s', (_what, unit, expected) => {
    expect(resolveUnit(unit, inputs)).toMatchObject(expected);
  });

  it('makes each unit reference a need, once', () => {
    const spec = resolveUnit(server({ needs: ['api'] }), { ...inputs, unitRefs: ['api', 'db', 'db'] });
    expect(spec.needs).toEqual([{ name: 'api', restart: false }, { name: 'db', restart: false }]);
    expect(spec.unit_refs).toEqual(['api', 'db']);
  });

  it('places env files: a server relative to its path, a service to the manifest folder', () => {
    expect(unitEnvFileDir(server({ path: 'app' }), '/p')).toBe('/p/app');
    expect(unitEnvFileDir(service({ working_dir: 'data' }), '/p')).toBe('/p');
    expect(unitCwd(service({ working_dir: 'data' }), '/p')).toBe('/p/data');
  });
});

describe('normalizeNeeds', () => {
  it('merges a name listed twice, restarting if either entry says so', () => {
    expect(normalizeNeeds(['a', { name: 'a', restart: true }, { name: 'b' }])).toEqual([{ name: 'a', restart: true }, { name: 'b', restart: false }]);
  });
});

describe('overlays', () => {
  it('resolves paths and always treats node_modules and .venv as immutable', () => {
    expect(resolveOverlay({ name: 'tpl', source: './t', target: '.work/t', strategy: 'smart', ignore: ['.git'], immutable: ['vendor', '.venv'], needs: ['x'] }, '/p')).toEqual({
      name: 'tpl',
      source: '/p/t',
      target: '/p/.work/t',
      strategy: 'smart',
      ignore: ['.git'],
      immutable: ['node_modules', '.venv', 'vendor'],
      needs: [{ name: 'x', restart: false }],
    });
  });

  it('names an inline overlay after its server', () => {
    expect(resolveInlineOverlay('web', { source: 's', target: 't', strategy: 'copy', ignore: [] }, '/p')).toMatchObject({ name: 'web-overlay', source: '/p/s', target: '/p/t', needs: [] });
  });
});
