// How exec into a container unit answers: the run's container is asked only while the unit is up, and driver
// failures become 409 / 400 / 500.

import { describe, expect, it } from 'vitest';
import { observedUnit, unitSpec } from '../engine/testing/spec-builder.js';
import type { ContainerExecResult } from '../runtime/container/container-driver.js';
import { ContainerError, type ContainerErrorCode } from '../runtime/container/container-error.js';
import { unitExecutor, type ContainerExec } from './container-exec.js';
import { HttpError } from './http-error.js';

const spec = unitSpec('web', { container: true, image: 'box:v1' });
const answer: ContainerExecResult = { stdout: 'hi\n', stderr: '', exit_code: 0, timed_out: false };

/** A ContainerExec that records its calls and answers (or fails) as told. */
const containers = (outcome: ContainerExecResult | ContainerError): ContainerExec & { calls: unknown[][] } => {
  const calls: unknown[][] = [];
  return {
    calls,
    exec: async (...args) => {
      calls.push(args);
      if (outcome instanceof ContainerError) throw outcome;
      return outcome;
    },
  };
};

describe('unitExecutor for container units', () => {
  it('execs in the container of the current run with the timeout', async () => {
    const fake = containers(answer);
    const result = await unitExecutor(fake).exec(spec, observedUnit('web', 'ready', { run_id: 'r7' }), ['echo', 'hi'], 5000);
    expect(result).toEqual(answer);
    expect(fake.calls).toEqual([['web', 'r7', ['echo', 'hi'], 5000]]);
  });

  it.each([
    ['stopped', observedUnit('web', 'stopped', { run_id: 'r7' })],
    ['backoff', observedUnit('web', 'backoff', { run_id: 'r7' })],
    ['never started', null],
  ])('answers 409 without asking podman when the unit is %s', async (_label, observed) => {
    const fake = containers(answer);
    const error = await unitExecutor(fake).exec(spec, observed, ['echo'], 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 409, field: 'name', message: expect.stringContaining('container unit web is not running') });
    expect(fake.calls).toEqual([]);
  });

  it.each<[ContainerErrorCode, number]>([
    ['not-running', 409],
    ['bad-spec', 400],
    ['runtime-failed', 500],
    ['no-runtime', 500],
  ])('maps a driver %s error to %i with its message', async (code, status) => {
    const fake = containers(new ContainerError(`podman said ${code}`, code));
    const error = await unitExecutor(fake).exec(spec, observedUnit('web', 'running', { run_id: 'r1' }), ['x'], 1000).catch((e: unknown) => e);
    expect(error).toMatchObject({ status, message: `podman said ${code}` });
  });
});
