import { describe, expect, it } from 'vitest';
import { err, ok } from '../shared/result.js';
import type { ReadFile } from './env-files.js';
import { parseManifest } from './parse.js';
import { buildDesiredState } from './pipeline.js';

const memory =
  (files: Record<string, string>): ReadFile =>
  (path) =>
    path in files ? ok(files[path]!) : err({ missing: true, message: 'no such file' });

const build = (yaml: string, files: Record<string, string> = {}, env: Record<string, string> = { HOME: '/root', SHELL_ONLY: 'sh' }) => {
  const parsed = parseManifest(yaml, '/p/demo/sandbox.yaml');
  if (!parsed.ok) throw new Error(parsed.error[0]?.message);
  return buildDesiredState(parsed.value, { env, readFile: memory(files), userExists: (name) => ['root', 'nobody'].includes(name) });
};

const state = (yaml: string, files: Record<string, string> = {}) => {
  const result = build(yaml, files);
  if (!result.ok) throw new Error(result.error.map((d) => d.message).join('\n'));
  return result.value;
};

const messages = (yaml: string, files: Record<string, string> = {}) => {
  const result = build(yaml, files);
  if (result.ok) throw new Error('expected diagnostics');
  return result.error.map((d) => `${d.location?.line ?? '-'}:${d.location?.col ?? '-'} ${d.message}`);
};

const DEMO = `version: 1
env_file: [.env, { path: .env.local, required: false }]
environment: { LEVEL: project-env, ONLY_PROJECT: p }
overlays:
  - { name: tpl, source: ./tpl, target: ./.work/tpl }
services:
  api:
    cmd: node
    args: [api.js, --greeting, "\${GREETING}"]
    env: { LEVEL: unit-env }
    health_port: 4000
servers:
  web:
    start: node web.js
    path: ./web
    env_file: web.env
    environment: { API_URL: "\${units.api.url}" }
    needs: [tpl]
    overlay: { source: ./static, target: ./.work/static }
`;
const FILES = { '/p/demo/.env': 'GREETING=hello\nLEVEL=project-file\nSECRET_KEY=s3\n', '/p/demo/web/web.env': 'LEVEL=unit-file\nWEB_ONLY=1\n' };

describe('buildDesiredState', () => {
  const desired = state(DEMO, FILES);

  it('names the project after its folder and records where it came from', () => {
    expect(desired).toMatchObject({ project: 'demo', manifest_path: '/p/demo/sandbox.yaml', dir: '/p/demo' });
    expect(desired.inputs).toEqual(['/p/demo/sandbox.yaml', '/p/demo/.env', '/p/demo/.env.local', '/p/demo/web/web.env']);
  });

  it('interpolates with sbx environment overlaid with the project env files', () => {
    expect(desired.units.api?.argv).toEqual(['node', 'api.js', '--greeting', 'hello']);
  });

  it('merges env in precedence order, with provenance', () => {
    const web = desired.units.web!.env;
    expect(web.LEVEL).toEqual({ value: 'unit-file', source: { kind: 'env-file', file: '/p/demo/web/web.env', line: 1 }, secret: false });
    expect(web.ONLY_PROJECT?.source).toMatchObject({ kind: 'manifest', key: 'environment.ONLY_PROJECT', location: { line: 3 } });
    expect(web.SECRET_KEY).toMatchObject({ value: 's3', secret: true, source: { kind: 'env-file', line: 3 } });
    expect(web.HOME).toMatchObject({ value: '/root', source: { kind: 'sbx-environment' } });
    expect(desired.units.api!.env.LEVEL?.value).toBe('unit-env');
    expect(desired.units.api!.env.WEB_ONLY).toBeUndefined();
  });

  it('keeps unit references for the engine and makes them needs', () => {
    const web = desired.units.web!;
    expect(web.env.API_URL?.value).toBe('${units.api.url}');
    expect(web.unit_refs).toEqual(['api']);
    expect(web.needs.map((n) => n.name)).toEqual(['tpl', 'web-overlay', 'api']);
    expect(web.overlays).toEqual(['tpl', 'web-overlay']);
  });

  it('turns the inline overlay into an overlay of its own', () => {
    expect(Object.keys(desired.overlays)).toEqual(['tpl', 'web-overlay']);
    expect(desired.overlays['web-overlay']).toMatchObject({ source: '/p/demo/static', target: '/p/demo/.work/static', strategy: 'copy' });
  });

  it('locates each unit at its key', () => {
    expect(desired.units.web?.location).toMatchObject({ line: 13, col: 3 });
  });
});

describe('launch fingerprint across loads', () => {
  const fingerprint = (yaml: string, files: Record<string, string>) => state(yaml, files).units.web!.fingerprint;
  const before = fingerprint(DEMO, FILES);

  it('changes when an env file content changes', () => {
    expect(fingerprint(DEMO, { ...FILES, '/p/demo/web/web.env': 'LEVEL=unit-file\nWEB_ONLY=2\n' })).not.toBe(before);
    expect(fingerprint(DEMO, { ...FILES, '/p/demo/web/web.env': 'LEVEL=unit-file\nWEB_ONLY=1\n# note\n' })).not.toBe(before);
  });

  it('changes when an optional env file appears', () => {
    expect(fingerprint(DEMO, { ...FILES, '/p/demo/.env.local': 'X=1\n' })).not.toBe(before);
  });

  it('stays the same when only max_restarts, restart policy, delays, health check or needs change', () => {
    const edited = DEMO.replace('    start: node web.js\n', '    start: node web.js\n    max_restarts: 7\n    restart_policy: always\n    restart_delay_ms: 5\n    stop_timeout_ms: 1\n    health_check: { path: /health }\n    health_port: 9\n').replace('needs: [tpl]', 'needs: [tpl, { name: api, restart: true }]');
    expect(state(edited, FILES).units.web!.max_restarts).toBe(7);
    expect(fingerprint(edited, FILES)).toBe(before);
  });

  it('stays the same when sbx own environment changes', () => {
    const result = build(DEMO, FILES, { HOME: '/elsewhere' });
    expect(result.ok && result.value.units.web!.fingerprint).toBe(before);
  });
});

describe('buildDesiredState: problems', () => {
  it('collects problems from every step in one pass, without cascading', () => {
    const yaml = `version: 1
services:
  broken:
    cmd: 1
  a:
    cmd: x
    needs: [broken, nope]
  b:
    cmd: x
    env_file: missing.env
  c:
    cmd: "\${UNSET}"
    needs: [b]
`;
    expect(messages(yaml)).toEqual([
      '4:10 services.broken.cmd must be a string, got 1',
      '7:21 `a` needs `nope`, which is not a unit or overlay',
      '10:15 env file missing.env not found (looked for /p/demo/missing.env)',
      '12:11 services.c.cmd: `${UNSET}`: UNSET is not set',
    ]);
  });

  it('stops after a missing project env file (interpolation would be guesswork)', () => {
    expect(messages('version: 1\nenv_file: .env\nservices:\n  a:\n    cmd: "${X}"\n')).toEqual(['2:11 env file .env not found (looked for /p/demo/.env)']);
  });

  it.each([
    ['a 2-unit cycle', 'services:\n  a: { cmd: x, needs: [b] }\n  b: { cmd: x, needs: [a] }\n', ['3:24 dependency cycle: a -> b -> a']],
    ['a 3-unit cycle', 'services:\n  c: { cmd: x, needs: [a] }\n  a: { cmd: x, needs: [b] }\n  b: { cmd: x, needs: [c] }\n', ['4:24 dependency cycle: a -> b -> c -> a']],
    ['a unit that needs itself', 'services:\n  a: { cmd: x, needs: [a] }\n', ['3:24 dependency cycle: a -> a']],
    ['a cycle through an overlay', 'overlays:\n  - { name: o, source: s, target: t, needs: [a] }\nservices:\n  a: { cmd: x, needs: [o] }\n', ['5:24 dependency cycle: a -> o -> a']],
    ['a reference to an unknown unit', 'services:\n  a: { cmd: x, args: ["${units.ap.url}"] }\n  api: { cmd: y }\n', ['3:24 `${units.ap.url}` refers to unknown unit `ap`']],
    ['a reference to an overlay', 'overlays:\n  - { name: o, source: s, target: t }\nservices:\n  a: { cmd: x, env: { U: "${units.o.port}" } }\n', ['5:27 `${units.o.port}`: o is an overlay, and only units have a port']],
    ['a reference to itself', 'services:\n  a: { cmd: x, args: ["${units.a.port}"] }\n', ['3:24 `${units.a.port}` refers to a itself']],
    ['an unknown user', 'services:\n  a: { cmd: x, user: ghost }\n', ['3:22 services.a.user: there is no user `ghost` on this machine']],
    ['a name used twice', 'services:\n  a: { cmd: x }\nservers:\n  a: { start: x }\n', ['5:3 `a` is declared twice: services.a (line 3) and servers.a (line 5)']],
    ['an overlay named like a unit', 'overlays:\n  - { name: a, source: s, target: t }\nservices:\n  a: { cmd: x }\n', ['5:3 `a` is declared twice: overlays[0].name (line 3) and services.a (line 5)']],
    ['an inline overlay name taken', 'services:\n  web-overlay: { cmd: x }\nservers:\n  web: { start: x, overlay: { source: s, target: t } }\n', ['5:20 `web-overlay` is declared twice: services.web-overlay (line 3) and servers.web.overlay (line 5)']],
  ])('reports %s', (_what, body, expected) => {
    expect(messages(`version: 1\n${body}`)).toEqual(expected);
  });

  it("leaves a container unit's user to the image (it need not exist on this machine)", () => {
    const result = build('version: 1\nservices:\n  a: { cmd: x, user: ghost, container: true, image: box }\n');
    expect(result.ok && result.value.units.a?.user).toBe('ghost');
  });

  it('suggests the closest name for an unknown need', () => {
    const result = build('version: 1\nservices:\n  postgres: { cmd: x }\n  app: { cmd: y, needs: [postgress] }\n');
    expect(!result.ok && result.error[0]).toMatchObject({ hint: 'did you mean `postgres`?', field: 'services.app.needs[0]', code: 'unknown-need' });
  });

  it('does not report needs on a unit that was set aside for its own errors', () => {
    expect(messages('version: 1\nservices:\n  db: { cmd: [x] }\n  app: { cmd: y, needs: [db] }\n')).toEqual(['3:9 services.db.cmd must be a string, got a list']);
  });
});
