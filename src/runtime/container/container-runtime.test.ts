import { describe, expect, it } from 'vitest';
import { ContainerError } from './container-error.js';
import { detectContainerRuntime, parseFlagList, runtimeKindOf, type ProgramFinder } from './container-runtime.js';

/** A PATH with exactly these programs installed (name or absolute path → resolved path). */
const installed =
  (programs: Record<string, string>): ProgramFinder =>
  async (name) =>
    programs[name] ?? null;

describe('parseFlagList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['   ', []],
    ['--runtime runc', ['--runtime', 'runc']],
    ['  --runtime=runc\t--cgroup-manager=cgroupfs \n', ['--runtime=runc', '--cgroup-manager=cgroupfs']],
    ['["--ulimit=nofile=1024:1024", "--label=a b"]', ['--ulimit=nofile=1024:1024', '--label=a b']],
    ['$(touch /tmp/x) ;', ['$(touch', '/tmp/x)', ';']],
  ])('%j → %j', (text, flags) => {
    expect(parseFlagList(text, 'V')).toEqual(flags);
  });

  it.each(['[1, 2]', '["a", ""]', '[not json', '[{"a": 1}]', '["a\\u0000b"]'])('rejects %j naming the variable', (text) => {
    expect(() => parseFlagList(text, 'SBX_X')).toThrow(/SBX_X/);
  });
});

describe('runtimeKindOf', () => {
  it.each([
    ['podman', 'podman'],
    ['/usr/bin/podman', 'podman'],
    ['/opt/podman-remote', 'podman'],
    ['/usr/local/bin/docker', 'docker'],
    ['/usr/bin/nerdctl', null],
  ])('%s → %s', (path, kind) => {
    expect(runtimeKindOf(path)).toBe(kind);
  });
});

describe('detectContainerRuntime', () => {
  const both = installed({ podman: '/usr/bin/podman', docker: '/usr/bin/docker' });

  it('prefers podman, then docker', async () => {
    expect(await detectContainerRuntime({}, both)).toEqual({ kind: 'podman', binary: '/usr/bin/podman', globalFlags: [], runFlags: [], network: 'host' });
    expect(await detectContainerRuntime({}, installed({ docker: '/usr/local/bin/docker' }))).toMatchObject({ kind: 'docker', binary: '/usr/local/bin/docker' });
  });

  it('lets SBX_CONTAINER_RUNTIME choose by name or absolute path', async () => {
    expect(await detectContainerRuntime({ SBX_CONTAINER_RUNTIME: 'docker' }, both)).toMatchObject({ kind: 'docker', binary: '/usr/bin/docker' });
    const custom = installed({ '/opt/bin/podman': '/opt/bin/podman' });
    expect(await detectContainerRuntime({ SBX_CONTAINER_RUNTIME: '/opt/bin/podman' }, custom)).toMatchObject({ kind: 'podman', binary: '/opt/bin/podman' });
  });

  it('reads flags and the network mode', async () => {
    const env = { SBX_CONTAINER_RUNTIME_FLAGS: '--runtime runc', SBX_CONTAINER_RUN_FLAGS: '["--pull=never"]', SBX_CONTAINER_NETWORK: 'publish' };
    expect(await detectContainerRuntime(env, both)).toMatchObject({ globalFlags: ['--runtime', 'runc'], runFlags: ['--pull=never'], network: 'publish' });
  });

  it.each([
    [{}, installed({}), 'no-runtime', /neither is on PATH/],
    [{ SBX_CONTAINER_RUNTIME: 'docker' }, installed({ podman: '/usr/bin/podman' }), 'no-runtime', /docker, which is not installed/],
    [{ SBX_CONTAINER_RUNTIME: 'nerdctl' }, installed({ podman: '/usr/bin/podman' }), 'bad-config', /SBX_CONTAINER_RUNTIME must be/],
    [{ SBX_CONTAINER_RUNTIME: 'bin/podman' }, installed({ podman: '/usr/bin/podman' }), 'bad-config', /absolute path/],
    [{ SBX_CONTAINER_NETWORK: 'bridge' }, installed({ podman: '/usr/bin/podman' }), 'bad-config', /SBX_CONTAINER_NETWORK/],
  ])('%j is a clear error', async (env, find, code, message) => {
    const error = await detectContainerRuntime(env, find).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
  });
});
