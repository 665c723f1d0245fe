import { describe, expect, it } from 'vitest';
import { buildRunArgv, containerWorkdir, imageRefProblem, stopTimeoutSeconds, type ContainerRunInput } from './container-argv.js';
import { ContainerError } from './container-error.js';
import type { ContainerRuntime } from './container-runtime.js';

const podman: ContainerRuntime = { kind: 'podman', binary: '/usr/bin/podman', globalFlags: ['--runtime', 'runc'], runFlags: ['--pull=never'], network: 'host' };
const docker: ContainerRuntime = { kind: 'docker', binary: '/usr/bin/docker', globalFlags: [], runFlags: [], network: 'host' };

const input = (extra: Partial<ContainerRunInput> = {}): ContainerRunInput => ({
  runtime: podman,
  unit: 'web',
  name: 'sbx-demo-web-r1',
  labels: { 'sbx.project': 'demo-12345678', 'sbx.unit': 'web', 'sbx.run': 'r1' },
  image: 'docker.io/library/node:20-slim',
  argv: ['node', 'server.js', '--port', '$(touch /tmp/x)'],
  workdir: '/app',
  user: 'node',
  stopTimeoutMs: 10_000,
  ports: [3000],
  env: { byName: ['API_KEY', 'PORT'], byValue: [['PATH', '/app/bin:/usr/bin']], processEnv: {} },
  ...extra,
});

describe('buildRunArgv', () => {
  it('builds the podman argv: global flags, one token per option, values by name, -- before image and command', () => {
    expect(buildRunArgv(input())).toEqual([
      '/usr/bin/podman', '--runtime', 'runc', 'run', '--rm', '--name=sbx-demo-web-r1',
      '--label=sbx.project=demo-12345678', '--label=sbx.unit=web', '--label=sbx.run=r1',
      '--network=host', '--init', '--sig-proxy=true', '--stop-timeout=10',
      '--log-driver=passthrough', '--http-proxy=false',
      '--env=API_KEY', '--env=PORT', '--env=PATH=/app/bin:/usr/bin',
      '--workdir=/app', '--user=node', '--pull=never',
      '--', 'docker.io/library/node:20-slim', 'node', 'server.js', '--port', '$(touch /tmp/x)',
    ]);
  });

  it('builds the docker argv (no passthrough logs, no http-proxy flag)', () => {
    const argv = buildRunArgv(input({ runtime: docker, workdir: null, user: null, stopTimeoutMs: 1500, env: { byName: [], byValue: [], processEnv: {} } }));
    expect(argv).toEqual([
      '/usr/bin/docker', 'run', '--rm', '--name=sbx-demo-web-r1',
      '--label=sbx.project=demo-12345678', '--label=sbx.unit=web', '--label=sbx.run=r1',
      '--network=host', '--init', '--sig-proxy=true', '--stop-timeout=2', '--log-driver=none',
      '--', 'docker.io/library/node:20-slim', 'node', 'server.js', '--port', '$(touch /tmp/x)',
    ]);
  });

  it('publishes each distinct port on 127.0.0.1 instead of the host network in publish mode', () => {
    const argv = buildRunArgv(input({ runtime: { ...podman, network: 'publish' }, ports: [3000, 9000, 3000] }));
    expect(argv).not.toContain('--network=host');
    expect(argv.filter((arg) => arg.startsWith('--publish='))).toEqual(['--publish=127.0.0.1:3000:3000', '--publish=127.0.0.1:9000:9000']);
  });

  it('leaves the image’s default command when argv is empty', () => {
    expect(buildRunArgv(input({ argv: [] })).slice(-2)).toEqual(['--', 'docker.io/library/node:20-slim']);
  });

  it.each([
    [{ image: '--privileged' }, /image/],
    [{ image: '$(touch /tmp/x)' }, /image/],
    [{ user: '-u' }, /user/],
    [{ user: 'a b' }, /user/],
    [{ workdir: 'relative' }, /working directory/],
    [{ workdir: '/a\nb' }, /working directory/],
    [{ stopTimeoutMs: -1 }, /stop timeout/],
    [{ argv: ['a\0b'] }, /NUL/],
    [{ ports: [0] }, /ports/],
  ])('refuses %j', (extra, message) => {
    expect(() => buildRunArgv(input(extra))).toThrow(ContainerError);
    expect(() => buildRunArgv(input(extra))).toThrow(message);
  });
});

describe('imageRefProblem', () => {
  it.each([
    ['node:20-slim', null],
    ['localhost/sbx-test-busybox:v1', null],
    ['registry.example.com:5000/team/app@sha256:0123abcd', null],
    ['', 'is empty'],
    ['-v', 'starts with "-" (it would be read as an option)'],
    ['--privileged', 'starts with "-" (it would be read as an option)'],
    ['busybox;id', 'is not an image reference (letters, digits and . _ / : @ - only, at most 512 characters)'],
    ['a b', 'is not an image reference (letters, digits and . _ / : @ - only, at most 512 characters)'],
    ['a'.repeat(600), 'is not an image reference (letters, digits and . _ / : @ - only, at most 512 characters)'],
  ])('%j → %j', (image, problem) => {
    expect(imageRefProblem(image)).toBe(problem);
  });
});

describe('stopTimeoutSeconds and containerWorkdir', () => {
  it.each([
    [0, 0],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [10_000, 10],
  ])('%d ms → %d s', (ms, s) => {
    expect(stopTimeoutSeconds(ms)).toBe(s);
  });

  it.each([
    ['/srv/project', '/srv/project', null],
    ['/data', '/srv/project', '/data'],
    ['/srv/project/sub', '/srv/project', '/srv/project/sub'],
    ['/srv/project', null, '/srv/project'],
  ])('cwd %s in project %s → %s', (cwd, projectDir, workdir) => {
    expect(containerWorkdir(cwd, projectDir)).toBe(workdir);
  });
});
