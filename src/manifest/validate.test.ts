import { describe, expect, it } from 'vitest';
import { parseManifest } from './parse.js';
import { validateManifest, validateUnitBody } from './validate.js';

const validate = (text: string) => {
  const parsed = parseManifest(text, '/p/sandbox.yaml');
  if (!parsed.ok) throw new Error(parsed.error[0]?.message);
  return validateManifest(parsed.value);
};

const only = (text: string) => {
  const { diagnostics } = validate(text);
  expect(diagnostics).toHaveLength(1);
  return diagnostics[0]!;
};

describe('validateManifest: one clear diagnostic per mistake', () => {
  it.each([
    ['wrong type', 'version: 1\nservices:\n  redis:\n    cmd: r\n    health_port: 6379x\n', 'services.redis.health_port must be an integer, got "6379x"', 5, 18, undefined],
    ['unknown key with a suggestion', 'version: 1\nservers:\n  web:\n    start: x\n    restart_polcy: always\n', 'unknown key `restart_polcy` in servers.web', 5, 5, 'did you mean `restart_policy`?'],
    ['unknown key from the other kind', 'version: 1\nservices:\n  a:\n    cmd: x\n    environment: {}\n', 'unknown key `environment` in services.a', 5, 5, 'services take `env`; `environment` is how servers spell it'],
    ['a misspelt required key, reported once', 'version: 1\nservers:\n  w:\n    strat: x\n', 'unknown key `strat` in servers.w', 4, 5, 'did you mean `start`?'],
    ['interpolation in a typed field', 'version: 1\nservers:\n  w:\n    start: x\n    port: ${P}\n', 'servers.w.port must be an integer, got "${P}"', 5, 11, '`${…}` is interpolated only in string fields; write the value itself here'],
    ['an empty unit, at its key', 'version: 1\nservices:\n  a:\n', 'services.a must be a mapping (key: value), got nothing (an empty value)', 3, 3, undefined],
    ['a value of none of the allowed types', 'version: 1\nenvironment:\n  A: [1]\n', 'environment.A must be a string, number or boolean, got a list', 3, 3, undefined],
    ['unknown top-level key', 'version: 1\nservises: {}\n', 'unknown key `servises` in the manifest', 2, 1, 'did you mean `services`?'],
    ['bad enum value', 'version: 1\nservers:\n  web:\n    start: x\n    restart_policy: on-failur\n', 'servers.web.restart_policy must be one of never, on-failure, always; got "on-failur"', 5, 21, 'did you mean `on-failure`?'],
    ['missing required field', 'version: 1\nservices:\n  redis:\n    args: []\n', 'services.redis is missing required field `cmd`', 3, 3, undefined],
    ['missing version', 'services: {}\n', 'the manifest is missing required field `version`', 1, 1, 'start the manifest with `version: 1`'],
    ['wrong version', 'version: 2\n', 'version must be 1, got 2', 1, 10, undefined],
    ['container without image', 'version: 1\nservices:\n  app:\n    cmd: node\n    container: true\n', 'services.app sets `container: true` but has no `image`', 3, 3, 'a container unit needs an OCI image, e.g. `image: node:20-slim`'],
    ['port out of range', 'version: 1\nservers:\n  web:\n    start: x\n    port: 70000\n', 'servers.web.port must be between 1 and 65535, got 70000', 5, 11, undefined],
    ['bad unit name', 'version: 1\nservices:\n  Redis:\n    cmd: x\n', "`Redis` in services is not a valid name (lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters)", 3, 3, undefined],
    ['bad user name', 'version: 1\nservices:\n  a:\n    cmd: x\n    user: 0day\n', "services.a.user must be a valid user name (letters, digits, '.', '_' and '-', not starting with a digit, '.' or '-'), got \"0day\"", 5, 11, undefined],
    ['needs entry with a misspelt key', 'version: 1\nservices:\n  a:\n    cmd: x\n    needs: [{ name: b, restrat: true }]\n', 'unknown key `restrat` in services.a.needs[0]', 5, 24, 'did you mean `restart`?'],
    ['needs entry of the wrong shape', 'version: 1\nservices:\n  a:\n    cmd: x\n    needs: [3]\n', 'services.a.needs[0] must be a unit or overlay name, or { name, restart }, got 3', 5, 13, undefined],
    ['env_file entry of the wrong shape', 'version: 1\nenv_file: [.env, 3]\n', 'env_file[1] must be a path or { path, required }, got 3', 2, 18, undefined],
    ['env_file of the wrong type', 'version: 1\nenv_file: { path: .env }\n', 'env_file must be a path, or a list of paths and { path, required }, got a mapping', 2, 1, undefined],
    ['an empty manifest', '# nothing yet\n', 'the manifest is empty', 1, 1, 'start it with `version: 1`'],
    ['health check path', 'version: 1\nservers:\n  w:\n    start: x\n    health_check: { path: health }\n', 'servers.w.health_check.path must be an absolute URL path starting with /, without spaces or control characters, got "health"', 5, 27, undefined],
    ['bad env var name', 'version: 1\nenvironment:\n  1BAD: x\n', "`1BAD` in environment is not a valid environment variable name (letters, digits and '_', not starting with a digit)", 3, 3, undefined],
  ])('%s', (_what, text, message, line, col, hint) => {
    const d = only(text);
    expect(d.message).toBe(message);
    expect(d.location).toMatchObject({ line, col });
    expect(d.hint).toBe(hint);
  });

  it('collects every error in one pass', () => {
    const { diagnostics } = validate('version: 1\nservices:\n  a:\n    cmd: 1\n    port: 0\n  b:\n    args: x\n');
    expect(diagnostics.map((d) => d.field)).toEqual(['services.a.cmd', 'services.a.port', 'services.b.cmd', 'services.b.args']);
  });

  it('fills in the schema defaults', () => {
    const { value } = validate('version: 1\nservers:\n  web:\n    start: x\n    health_check: { path: /h }\noverlays:\n  - { name: o, source: a, target: b }\n');
    expect(value?.manifest.servers?.web).toMatchObject({
      strict_port: false,
      needs: [],
      restart_policy: 'never',
      max_restarts: 0,
      restart_delay_ms: 1000,
      stop_timeout_ms: 10000,
      health_check: { path: '/h', interval_ms: 2000, timeout_ms: 1500, delay_ms: 5000 },
    });
    expect(value?.manifest.overlays?.[0]).toMatchObject({ strategy: 'copy', ignore: [], immutable: [], needs: [] });
  });

  it('sets aside a broken unit, keeps the rest, and remembers the broken name', () => {
    const result = validate('version: 1\nservices:\n  bad:\n    cmd: 1\n  good:\n    cmd: x\n');
    expect(Object.keys(result.value?.manifest.services ?? {})).toEqual(['good']);
    expect(result.value?.droppedNames).toEqual(['bad']);
  });

  it('leaves nothing usable when a project-level field is wrong', () => {
    expect(validate('version: 1\nenvironment: [a]\nservices:\n  a:\n    cmd: x\n').value).toBeNull();
  });

  it('does not mutate the parsed data', () => {
    const parsed = parseManifest('version: 1\nservices:\n  a:\n    cmd: x\n', '/p/sandbox.yaml');
    if (!parsed.ok) throw new Error('parse');
    validateManifest(parsed.value);
    expect(parsed.value.data).toEqual({ version: 1, services: { a: { cmd: 'x' } } });
  });
});

describe('validateUnitBody (API)', () => {
  it.each([
    ['service', { cmd: 'redis-server', health_port: '6379x' }, 'health_port', 'health_port must be an integer, got "6379x"'],
    ['service', { args: [] }, 'cmd', 'the service body is missing required field `cmd`'],
    ['server', { start: 'x', health_check: { interval_ms: 0 } }, 'health_check.interval_ms', 'health_check.interval_ms must be at least 1, got 0'],
    ['server', { start: 'x', restart_policy: 'sometimes' }, 'restart_policy', 'restart_policy must be one of never, on-failure, always; got "sometimes"'],
    ['service', { cmd: 'x', container: true }, 'image', 'the service body sets `container: true` but has no `image`'],
  ] as const)('%s %j', (kind, body, field, message) => {
    const result = validateUnitBody(kind, body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual([expect.objectContaining({ field, message })]);
    expect(result.error[0]!.location).toBeUndefined();
  });

  it('accepts the seeds bodies and fills defaults', () => {
    const service = validateUnitBody('service', { cmd: 'redis-server', args: ['--port', '6379'], env: { REDIS_LOGLEVEL: 'warning' }, working_dir: '/data', user: 'nobody', health_port: 6379, needs: ['postgres'], container: false, image: '' });
    expect(service).toMatchObject({ ok: true, value: { restart_policy: 'never', strict_port: false } });
    const server = validateUnitBody('server', { install: 'npm install', start: 'npm run dev', path: '/app', port: 3000, strict_port: false, environment: { NODE_ENV: 'production' }, env_file: '.env', restart_policy: 'on-failure', max_restarts: 3, restart_delay_ms: 1000, stop_timeout_ms: 10000, health_check: { path: '/', interval_ms: 5000, timeout_ms: 3000, delay_ms: 5000 }, overlay: { source: '/templates/react', target: '/app', strategy: 'smart' } });
    expect(server).toMatchObject({ ok: true, value: { overlay: { ignore: [] } } });
  });
});
