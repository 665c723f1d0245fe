// Which container CLI runs container units (podman or docker) and with which extra flags, read from SBX_CONTAINER_*.

import { basename, isAbsolute } from 'node:path';
import { findExecutable } from '../launch-argv.js';
import { ContainerError } from './container-error.js';

export type ContainerRuntimeKind = 'podman' | 'docker';

/** How containers reach the network: the host's stack (default), or a private one with `port`/`health_port` published on 127.0.0.1. */
export type ContainerNetworkMode = 'host' | 'publish';

/** The container CLI sbx drives, fully resolved. */
export interface ContainerRuntime {
  kind: ContainerRuntimeKind;
  /** Absolute path of the CLI (so a unit's PATH can never change which program runs). */
  binary: string;
  /** Flags before the subcommand, on every call (e.g. `--runtime runc`, `--cgroup-manager cgroupfs`). */
  globalFlags: string[];
  /** Extra flags for `run` only, before sbx's own (e.g. `--ulimit nofile=4096:4096`, `--pull never`). */
  runFlags: string[];
  network: ContainerNetworkMode;
}

/** `podman`, `docker`, or an absolute path to either: which runtime to use (default: podman if installed, else docker). */
export const RUNTIME_VARIABLE = 'SBX_CONTAINER_RUNTIME';
/** Global flags, whitespace-separated or a JSON array of strings. */
export const RUNTIME_FLAGS_VARIABLE = 'SBX_CONTAINER_RUNTIME_FLAGS';
/** Extra `run` flags, whitespace-separated or a JSON array of strings. */
export const RUN_FLAGS_VARIABLE = 'SBX_CONTAINER_RUN_FLAGS';
/** `host` (default) or `publish`. */
export const NETWORK_VARIABLE = 'SBX_CONTAINER_NETWORK';

/** Finds a program on PATH; injectable so detection is testable without installing anything. */
export type ProgramFinder = (name: string, pathVariable: string | undefined) => Promise<string | null>;

const findOnPath: ProgramFinder = (name, pathVariable) => findExecutable(name, '/', pathVariable);

/**
 * Reads a flag list: a JSON array of strings (for flags whose values hold spaces) or whitespace-separated words.
 * Never parsed by a shell; a NUL byte or a non-string entry is an error naming the variable.
 */
export const parseFlagList = (text: string | undefined, variable: string): string[] => {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return [];
  let flags: unknown;
  if (trimmed.startsWith('[')) {
    try {
      flags = JSON.parse(trimmed);
    } catch (error) {
      throw new ContainerError(`${variable} starts with "[" but is not a JSON array of strings: ${(error as Error).message}`, 'bad-config');
    }
  } else {
    flags = trimmed.split(/\s+/);
  }
  if (!Array.isArray(flags) || !flags.every((flag): flag is string => typeof flag === 'string' && flag !== '' && !flag.includes('\0'))) {
    throw new ContainerError(`${variable} must be a JSON array of non-empty strings (or words separated by spaces)`, 'bad-config');
  }
  return flags;
};

/** The runtime kind a program path names (by its file name). */
export const runtimeKindOf = (binary: string): ContainerRuntimeKind | null => {
  const name = basename(binary);
  if (name.startsWith('podman')) return 'podman';
  if (name.startsWith('docker')) return 'docker';
  return null;
};

const parseNetwork = (text: string | undefined): ContainerNetworkMode => {
  const value = (text ?? '').trim();
  if (value === '' || value === 'host') return 'host';
  if (value === 'publish') return 'publish';
  throw new ContainerError(`${NETWORK_VARIABLE} must be "host" or "publish", not ${JSON.stringify(value)}`, 'bad-config');
};

/** Resolves the CLI: the chosen one (by name or absolute path), else podman, else docker. */
const resolveBinary = async (env: Record<string, string | undefined>, find: ProgramFinder): Promise<string> => {
  const chosen = (env[RUNTIME_VARIABLE] ?? '').trim();
  if (chosen !== '') {
    const kind = runtimeKindOf(chosen);
    if (kind === null || (!isAbsolute(chosen) && chosen !== kind)) {
      throw new ContainerError(`${RUNTIME_VARIABLE} must be "podman", "docker" or an absolute path to one of them, not ${JSON.stringify(chosen)}`, 'bad-config');
    }
    const found = await find(chosen, env.PATH);
    if (found === null) throw new ContainerError(`${RUNTIME_VARIABLE} chooses ${chosen}, which is not installed (or not executable)`, 'no-runtime');
    return found;
  }
  for (const name of ['podman', 'docker'] as const) {
    const found = await find(name, env.PATH);
    if (found !== null) return found;
  }
  throw new ContainerError('container units need podman or docker, and neither is on PATH (install one, or set SBX_CONTAINER_RUNTIME)', 'no-runtime');
};

/** Detects the container runtime from an environment (sbx's own by default); rejects with a ContainerError. */
export const detectContainerRuntime = async (
  env: Record<string, string | undefined> = process.env,
  find: ProgramFinder = findOnPath,
): Promise<ContainerRuntime> => {
  const globalFlags = parseFlagList(env[RUNTIME_FLAGS_VARIABLE], RUNTIME_FLAGS_VARIABLE);
  const runFlags = parseFlagList(env[RUN_FLAGS_VARIABLE], RUN_FLAGS_VARIABLE);
  const network = parseNetwork(env[NETWORK_VARIABLE]);
  const binary = await resolveBinary(env, find);
  const kind = runtimeKindOf(binary) ?? runtimeKindOf((env[RUNTIME_VARIABLE] ?? '').trim()) ?? 'podman';
  return { kind, binary, globalFlags, runFlags, network };
};
