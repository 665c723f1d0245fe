// A daemon whose container runtime cannot be used (SBX_CONTAINER_RUNTIME names one that is not installed, or has
// flags it cannot read): container units fail with that reason, host units in the same project run as usual.

import { afterEach, describe, expect, it } from 'vitest';
import { CENSUS_VARIABLE } from '../runtime/census.js';
import { ContainerProject } from './container-project.js';
import { PodmanFixture, TEST_IMAGE } from './podman-fixture.js';

const podman = new PodmanFixture();
let project: ContainerProject | null = null;

const manifest = (census: string): string => `version: 1
environment:
  ${CENSUS_VARIABLE}: ${census}
services:
  host:
    cmd: sleep
    args: ["600"]
  boxed:
    cmd: sleep
    args: ["600"]
    container: true
    image: ${TEST_IMAGE}
`;

afterEach(async () => {
  const left = await project?.teardown();
  project = null;
  expect(left ?? { containers: [], pids: [] }).toEqual({ containers: [], pids: [] });
});

describe('container units without a usable runtime', () => {
  it.each([
    ['a runtime that is not installed', { SBX_CONTAINER_RUNTIME: '/nonexistent/docker' }, 'SBX_CONTAINER_RUNTIME chooses /nonexistent/docker, which is not installed'],
    ['flags it cannot read', { SBX_CONTAINER_RUN_FLAGS: '["--pull=never", 3]' }, 'SBX_CONTAINER_RUN_FLAGS must be a JSON array of non-empty strings'],
  ])('%s: the container unit fails with the reason, the host unit is ready', async (_label, settings, reason) => {
    project = await ContainerProject.create(podman, manifest, settings);
    const apply = await project.sbx(['apply']);
    expect(apply.exitCode).not.toBe(0);
    const units = await project.units();
    expect(units.host?.phase, `sbx apply printed:\n${apply.stdout}\n${apply.stderr}\ndaemon log:\n${await project.daemonLogTail()}`).toBe('ready');
    expect(units.boxed?.phase).toBe('failed');
    expect(units.boxed?.last_error).toContain(reason);
    expect(`${apply.stdout}\n${apply.stderr}`).toContain(reason);
  });
});
