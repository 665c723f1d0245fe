// The exact `run` argv for a container unit: an array (never a shell line), every option as one `--flag=value` token,
// and `--` before the image so neither the image nor the command can ever be read as an option.

import { isAbsolute } from 'node:path';
import { ContainerError } from './container-error.js';
import type { ContainerEnvPlan } from './container-env.js';
import type { ContainerRuntime } from './container-runtime.js';

/** Everything one `run` needs, already resolved. */
export interface ContainerRunInput {
  runtime: ContainerRuntime;
  unit: string;
  name: string;
  labels: Record<string, string>;
  image: string;
  /** The command and its arguments inside the container, verbatim; empty = the image's default command. */
  argv: string[];
  /** Working directory inside the container, or null for the image's. */
  workdir: string | null;
  /** User inside the container (name or uid[:gid]), or null for the image's. */
  user: string | null;
  stopTimeoutMs: number;
  /** Ports published on 127.0.0.1 when the runtime's network mode is `publish`. */
  ports: number[];
  env: ContainerEnvPlan;
}

/** OCI image references: registry/name:tag@digest characters only, starting with a letter or digit. */
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,511}$/;
/** A user name or uid, optionally with a group, never starting with '-'. */
const USER_SPEC = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9._-]{0,31})?$/;

/** Why an image reference cannot be used, or null when it is fine (also for manifest validation). */
export const imageRefProblem = (image: string): string | null => {
  if (image === '') return 'is empty';
  if (image.startsWith('-')) return 'starts with "-" (it would be read as an option)';
  if (!IMAGE_REF.test(image)) return 'is not an image reference (letters, digits and . _ / : @ - only, at most 512 characters)';
  return null;
};

/** Whole seconds for the runtime's stop timeout, rounded up so a container never gets less than the unit asked for. */
export const stopTimeoutSeconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/**
 * The working directory inside the container: the unit's, unless it is only the default (the project folder, a host
 * path that the image does not have), in which case the image's own applies.
 */
export const containerWorkdir = (cwd: string, projectDir: string | null): string | null => (projectDir !== null && cwd === projectDir ? null : cwd);

const check = (unit: string, ok: boolean, what: string): void => {
  if (!ok) throw new ContainerError(`unit ${unit}: ${what}`, 'bad-spec');
};

/** Builds `<cli> [global flags] run ... -- IMAGE [CMD ARGS...]`; throws ContainerError for input it cannot pass safely. */
export const buildRunArgv = (input: ContainerRunInput): string[] => {
  const { runtime, unit } = input;
  const imageProblem = imageRefProblem(input.image);
  check(unit, imageProblem === null, `image ${JSON.stringify(input.image)} ${imageProblem ?? ''}`);
  check(unit, input.user === null || USER_SPEC.test(input.user), `user ${JSON.stringify(input.user)} is not a user name or uid[:gid]`);
  check(unit, input.workdir === null || (isAbsolute(input.workdir) && !/[\0\n]/.test(input.workdir)), `working directory ${JSON.stringify(input.workdir)} must be an absolute path`);
  check(unit, Number.isInteger(input.stopTimeoutMs) && input.stopTimeoutMs >= 0, `stop timeout ${input.stopTimeoutMs} must be a whole number of milliseconds`);
  check(unit, input.argv.every((arg) => !arg.includes('\0')), 'the command holds a NUL byte');
  check(unit, input.ports.every((port) => Number.isInteger(port) && port > 0 && port < 65536), `ports ${input.ports.join(', ')} must be 1-65535`);
  const argv = [runtime.binary, ...runtime.globalFlags, 'run', '--rm', `--name=${input.name}`];
  for (const [key, value] of Object.entries(input.labels)) argv.push(`--label=${key}=${value}`);
  if (runtime.network === 'host') argv.push('--network=host');
  else for (const port of [...new Set(input.ports)]) argv.push(`--publish=127.0.0.1:${port}:${port}`);
  // --init: signals reach the app and zombies are reaped; sig-proxy: a TERM to the CLI process reaches the container.
  argv.push('--init', '--sig-proxy=true', `--stop-timeout=${stopTimeoutSeconds(input.stopTimeoutMs)}`);
  // podman hands the container our stdio directly (logs keep flowing if the CLI dies); docker streams, keeping no copy.
  if (runtime.kind === 'podman') argv.push('--log-driver=passthrough', '--http-proxy=false');
  else argv.push('--log-driver=none');
  for (const name of input.env.byName) argv.push(`--env=${name}`);
  for (const [name, value] of input.env.byValue) argv.push(`--env=${name}=${value}`);
  if (input.workdir !== null) argv.push(`--workdir=${input.workdir}`);
  if (input.user !== null) argv.push(`--user=${input.user}`);
  argv.push(...runtime.runFlags, '--', input.image, ...input.argv);
  return argv;
};
