// Which variables a container gets and how they travel: by name through the CLI's own environment (`--env=NAME`,
// so values, secrets included, never appear in /proc/*/cmdline), except the few the CLI itself reads.

import type { UnitSpec } from '../../manifest/types.js';
import { looksSecret } from '../../manifest/secret-names.js';
import { ContainerError } from './container-error.js';

/**
 * Variables podman/docker (or the dynamic linker, or Go) read for themselves: a container's value for them must not
 * become the CLI's own, so such values go on the command line instead (and so must not look like secrets).
 */
const RUNTIME_OWNED_NAMES = new Set([
  'PATH', 'HOME', 'TMPDIR', 'NOTIFY_SOCKET', 'LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES',
  'GODEBUG', 'GOGC', 'GOMAXPROCS', 'GOMEMLIMIT', 'GOTRACEBACK',
]);
const RUNTIME_OWNED_PREFIXES = ['LD_', 'CONTAINERS_', '_CONTAINERS_', 'CONTAINER_', 'DOCKER_', 'PODMAN_', 'BUILDAH_', 'XDG_', 'STORAGE_', 'REGISTRY_', 'SSL_CERT_'];

/** Variables of sbx's own environment that would change how the CLI behaves (systemd socket activation, sd_notify). */
const DROPPED_FROM_CLI_ENV = new Set(['NOTIFY_SOCKET', 'LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES']);

/** Largest single argument or environment string Linux accepts (MAX_ARG_STRLEN, including the NUL). */
const MAX_STRING_BYTES = 128 * 1024 - 1;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a variable the container CLI reads for itself. */
export const isRuntimeOwnedVariable = (name: string): boolean =>
  RUNTIME_OWNED_NAMES.has(name) || RUNTIME_OWNED_PREFIXES.some((prefix) => name.startsWith(prefix));

/**
 * What goes into the container: the final environment minus what only came from sbx's own environment (a
 * container does not inherit the host's PATH, HOME or shell variables, as with docker compose); injected
 * variables such as PORT are kept.
 */
export const containerVariables = (spec: Pick<UnitSpec, 'env'>, finalEnv: Record<string, string>): Record<string, string> => {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(finalEnv)) {
    if (spec.env[name]?.source.kind === 'sbx-environment') continue;
    vars[name] = value;
  }
  return vars;
};

/** How the container's variables reach it. */
export interface ContainerEnvPlan {
  /** Passed as `--env=NAME`; the value is in the CLI's own environment. */
  byName: string[];
  /** Variables the CLI reads itself (PATH, HOME, LD_*...), passed as `--env=NAME=VALUE`; never secret-looking. */
  byValue: Array<[string, string]>;
  /** The environment the CLI process runs with: sbx's own (minus socket-activation variables) plus the byName values. */
  processEnv: Record<string, string>;
}

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Splits the container's variables into by-name and by-value, or says which one cannot be passed and why. */
export const planContainerEnv = (
  unit: string,
  vars: Record<string, string>,
  cliEnv: Record<string, string | undefined>,
  isSecret: (name: string) => boolean = looksSecret,
): ContainerEnvPlan => {
  const processEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(cliEnv)) {
    if (value !== undefined && !DROPPED_FROM_CLI_ENV.has(name)) processEnv[name] = value;
  }
  const byName: string[] = [];
  const byValue: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const where = `unit ${unit}: environment variable ${JSON.stringify(name)}`;
    if (!VARIABLE_NAME.test(name)) throw new ContainerError(`${where} is not a valid name for a container ([A-Za-z_][A-Za-z0-9_]*)`, 'bad-spec');
    if (value.includes('\0')) throw new ContainerError(`${where} holds a NUL byte`, 'bad-spec');
    if (byteLength(name) + 1 + byteLength(value) + '--env='.length > MAX_STRING_BYTES) {
      throw new ContainerError(`${where} is too long (a variable may hold at most ${MAX_STRING_BYTES} bytes)`, 'bad-spec');
    }
    if (!isRuntimeOwnedVariable(name)) {
      byName.push(name);
      processEnv[name] = value;
      continue;
    }
    if (isSecret(name)) {
      throw new ContainerError(
        `${where} looks like a secret, and ${RUNTIME_OWNED_NAMES.has(name) ? 'is' : 'starts like'} a variable the container runtime reads itself, so it could only be passed on its command line (visible in ps); rename it`,
        'bad-spec',
      );
    }
    byValue.push([name, value]);
  }
  return { byName, byValue, processEnv };
};
