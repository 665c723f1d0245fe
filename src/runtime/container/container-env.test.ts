import { describe, expect, it } from 'vitest';
import type { EnvVar } from '../../manifest/types.js';
import { ContainerError } from './container-error.js';
import { containerVariables, isRuntimeOwnedVariable, planContainerEnv } from './container-env.js';

const manifest = (value: string, secret = false): EnvVar => ({ value, source: { kind: 'manifest', key: 'env' }, secret });
const fromSbx = (value: string): EnvVar => ({ value, source: { kind: 'sbx-environment' }, secret: false });

describe('containerVariables', () => {
  it('keeps manifest, env-file and injected variables, drops what only came from sbx’s own environment', () => {
    const spec = {
      env: {
        PATH: fromSbx('/usr/bin'),
        HOME: fromSbx('/root'),
        GREETING: manifest('hi'),
        TOKEN: { value: 's3cret', source: { kind: 'env-file', file: '.env', line: 2 }, secret: true } as EnvVar,
      },
    };
    const finalEnv = { PATH: '/usr/bin', HOME: '/root', GREETING: 'hi', TOKEN: 's3cret', PORT: '3000' };
    expect(containerVariables(spec, finalEnv)).toEqual({ GREETING: 'hi', TOKEN: 's3cret', PORT: '3000' });
  });
});

describe('isRuntimeOwnedVariable', () => {
  it.each([
    ['PATH', true],
    ['HOME', true],
    ['LD_PRELOAD', true],
    ['LD_LIBRARY_PATH', true],
    ['CONTAINERS_CONF', true],
    ['CONTAINER_HOST', true],
    ['DOCKER_HOST', true],
    ['XDG_RUNTIME_DIR', true],
    ['NOTIFY_SOCKET', true],
    ['GOMAXPROCS', true],
    ['GOOGLE_APPLICATION_CREDENTIALS', false],
    ['PORT', false],
    ['DATABASE_URL', false],
    ['HOMEPAGE', false],
  ])('%s → %s', (name, owned) => {
    expect(isRuntimeOwnedVariable(name)).toBe(owned);
  });
});

describe('planContainerEnv', () => {
  const cliEnv = { PATH: '/usr/bin:/bin', HOME: '/root', CONTAINERS_CONF: '/etc/c.conf', NOTIFY_SOCKET: '/run/notify', LISTEN_FDS: '3', UNSET: undefined };

  it('passes values by name through the CLI’s environment, sorted, never on the command line', () => {
    const plan = planContainerEnv('web', { B: 'two $(x)', A: 'one\nline', API_KEY: 'canary' }, cliEnv);
    expect(plan.byName).toEqual(['A', 'API_KEY', 'B']);
    expect(plan.byValue).toEqual([]);
    expect(plan.processEnv).toEqual({ PATH: '/usr/bin:/bin', HOME: '/root', CONTAINERS_CONF: '/etc/c.conf', A: 'one\nline', API_KEY: 'canary', B: 'two $(x)' });
  });

  it('passes the variables the CLI reads itself by value, leaving the CLI’s own untouched', () => {
    const plan = planContainerEnv('web', { PATH: '/app/bin:/bin', LD_LIBRARY_PATH: '/app/lib', PORT: '80' }, cliEnv);
    expect(plan.byName).toEqual(['PORT']);
    expect(plan.byValue).toEqual([
      ['LD_LIBRARY_PATH', '/app/lib'],
      ['PATH', '/app/bin:/bin'],
    ]);
    expect(plan.processEnv.PATH).toBe('/usr/bin:/bin');
    expect(plan.processEnv.LD_LIBRARY_PATH).toBeUndefined();
  });

  it('drops socket-activation variables from the CLI’s environment', () => {
    const plan = planContainerEnv('web', {}, cliEnv);
    expect(plan.processEnv).not.toHaveProperty('NOTIFY_SOCKET');
    expect(plan.processEnv).not.toHaveProperty('LISTEN_FDS');
    expect(plan.processEnv).not.toHaveProperty('UNSET');
  });

  it.each([
    [{ DOCKER_AUTH_TOKEN: 'x' }, /DOCKER_AUTH_TOKEN.*looks like a secret/],
    [{ 'BAD-NAME': 'x' }, /not a valid name/],
    [{ 'FOO*': 'x' }, /not a valid name/],
    [{ '--privileged': 'x' }, /not a valid name/],
    [{ A: 'a\0b' }, /NUL/],
    [{ A: 'z'.repeat(128 * 1024) }, /too long/],
  ])('refuses %j', (vars, message) => {
    expect(() => planContainerEnv('web', vars, cliEnv)).toThrow(ContainerError);
    expect(() => planContainerEnv('web', vars, cliEnv)).toThrow(message);
  });

  it('takes a variable’s secret flag from the caller', () => {
    expect(() => planContainerEnv('web', { XDG_DATA_HOME: '/d' }, cliEnv, () => true)).toThrow(/looks like a secret/);
    expect(planContainerEnv('web', { XDG_DATA_HOME: '/d' }, cliEnv, () => false).byValue).toEqual([['XDG_DATA_HOME', '/d']]);
  });
});
