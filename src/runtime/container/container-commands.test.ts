import { describe, expect, it } from 'vitest';
import {
  buildExecArgv,
  buildListArgv,
  buildRemoveArgv,
  buildStateArgv,
  buildStopArgv,
  parseContainerList,
  parseStateResult,
} from './container-commands.js';
import type { ContainerRuntime } from './container-runtime.js';

const podman: ContainerRuntime = { kind: 'podman', binary: '/usr/bin/podman', globalFlags: ['--runtime=runc'], runFlags: ['--ignored-here'], network: 'host' };
const docker: ContainerRuntime = { kind: 'docker', binary: '/usr/bin/docker', globalFlags: [], runFlags: [], network: 'host' };

describe('command argv', () => {
  it.each([
    ['exec podman', buildExecArgv(podman, 'c1', ['sh', '-c', 'echo $HOME', '--privileged'], 'tag1'), ['/usr/bin/podman', '--runtime=runc', 'exec', '--env=SBX_EXEC_TAG=tag1', '--', 'c1', 'sh', '-c', 'echo $HOME', '--privileged']],
    ['exec docker', buildExecArgv(docker, 'c1', ['id'], 't'), ['/usr/bin/docker', 'exec', '--env=SBX_EXEC_TAG=t', '--', 'c1', 'id']],
    ['stop podman', buildStopArgv(podman, 'c1', 1500), ['/usr/bin/podman', '--runtime=runc', 'stop', '--ignore', '--time=2', '--', 'c1']],
    ['stop docker', buildStopArgv(docker, 'c1', 10_000), ['/usr/bin/docker', 'stop', '-t', '10', '--', 'c1']],
    ['rm podman', buildRemoveArgv(podman, 'c1'), ['/usr/bin/podman', '--runtime=runc', 'rm', '--force', '--ignore', '--time=0', '--', 'c1']],
    ['rm docker', buildRemoveArgv(docker, 'c1'), ['/usr/bin/docker', 'rm', '--force', '--', 'c1']],
    ['state', buildStateArgv(docker, 'c1'), ['/usr/bin/docker', 'container', 'inspect', '--format={{.State.Status}}', '--', 'c1']],
    ['ps podman', buildListArgv(podman, { 'sbx.project': 'p-1', 'sbx.unit': 'web' }), ['/usr/bin/podman', '--runtime=runc', 'ps', '--all', '--no-trunc', '--filter=label=sbx.project=p-1', '--filter=label=sbx.unit=web', '--format=json']],
    ['ps docker', buildListArgv(docker, { 'sbx.project': 'p-1' }), ['/usr/bin/docker', 'ps', '--all', '--no-trunc', '--filter=label=sbx.project=p-1', '--format={{json .}}']],
  ])('%s', (_, argv, expected) => {
    expect(argv).toEqual(expected);
  });
});

describe('parseStateResult', () => {
  it.each([
    [0, 'running\n', '', 'running'],
    [0, 'Exited\n', '', 'exited'],
    [125, '', 'Error: inspecting object: no such container c1', null],
    [1, '', 'Error: No such object: c1', null],
    [1, '', 'Error: No such container: c1', null],
  ])('exit %d %j %j → %j', (code, stdout, stderr, state) => {
    expect(parseStateResult(code, stdout, stderr)).toBe(state);
  });

  it('turns any other failure into an error with the first line', () => {
    const result = parseStateResult(125, '', 'Error: cannot connect\nmore');
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toBe('Error: cannot connect');
  });
});

describe('parseContainerList', () => {
  it('reads podman’s JSON array', () => {
    const stdout = JSON.stringify([
      { Id: 'abc', Names: ['sbx-demo-web-r1'], State: 'running', Labels: { 'sbx.project': 'demo-1', 'sbx.unit': 'web', 'sbx.run': 'r1' } },
      { Id: 'def', Names: ['sbx-demo-db-r2'], State: 'exited', Labels: null },
    ]);
    expect(parseContainerList(podman, stdout)).toEqual([
      { id: 'abc', name: 'sbx-demo-web-r1', project: 'demo-1', unit: 'web', runId: 'r1', state: 'running' },
      { id: 'def', name: 'sbx-demo-db-r2', project: '', unit: '', runId: '', state: 'exited' },
    ]);
    expect(parseContainerList(podman, '[]\n')).toEqual([]);
    expect(parseContainerList(podman, '')).toEqual([]);
  });

  it('reads docker’s JSON lines with comma-joined labels', () => {
    const stdout = [
      JSON.stringify({ ID: 'abc', Names: 'sbx-demo-web-r1', State: 'running', Labels: 'sbx.project=demo-1,sbx.run=r1,sbx.unit=web' }),
      JSON.stringify({ ID: 'def', Names: 'sbx-demo-db-r2,alias', State: 'created', Labels: '' }),
    ].join('\n');
    expect(parseContainerList(docker, stdout)).toEqual([
      { id: 'abc', name: 'sbx-demo-web-r1', project: 'demo-1', unit: 'web', runId: 'r1', state: 'running' },
      { id: 'def', name: 'sbx-demo-db-r2', project: '', unit: '', runId: '', state: 'created' },
    ]);
  });

  it('throws on output it cannot read', () => {
    expect(() => parseContainerList(podman, '{"not": "an array"}')).toThrow(/JSON array/);
    expect(() => parseContainerList(docker, 'garbage')).toThrow();
  });
});
