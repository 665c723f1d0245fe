// The argv of every other CLI call the driver makes (exec, stop, rm, exists, ps) and how their output is read;
// pure, so the podman/docker differences are tested without either installed.

import { PROJECT_LABEL, RUN_LABEL, UNIT_LABEL } from './container-naming.js';
import type { ContainerRuntime } from './container-runtime.js';
import { stopTimeoutSeconds } from './container-argv.js';

/** Marks every process an exec starts (inherited by its children), so a timed-out exec can be killed inside the container. */
export const EXEC_TAG_VARIABLE = 'SBX_EXEC_TAG';

/** One container sbx created, as `ps` reports it. */
export interface ContainerInfo {
  id: string;
  name: string;
  /** The project key label (see projectKey). */
  project: string;
  unit: string;
  runId: string;
  /** The runtime's state word: running, exited, created, stopping... */
  state: string;
}

const cli = (runtime: ContainerRuntime, ...args: string[]): string[] => [runtime.binary, ...runtime.globalFlags, ...args];

/** `exec` with the tag variable, the command verbatim after the container name (`--` first). */
export const buildExecArgv = (runtime: ContainerRuntime, name: string, cmd: readonly string[], tag: string): string[] =>
  cli(runtime, 'exec', `--env=${EXEC_TAG_VARIABLE}=${tag}`, '--', name, ...cmd);

/** `stop`: TERM, wait the timeout (whole seconds), then KILL; podman ignores a container that is already gone. */
export const buildStopArgv = (runtime: ContainerRuntime, name: string, timeoutMs: number): string[] =>
  runtime.kind === 'podman'
    ? cli(runtime, 'stop', '--ignore', `--time=${stopTimeoutSeconds(timeoutMs)}`, '--', name)
    : cli(runtime, 'stop', '-t', String(stopTimeoutSeconds(timeoutMs)), '--', name);

/** `rm --force` at once (no second grace period: stop already gave it). */
export const buildRemoveArgv = (runtime: ContainerRuntime, name: string): string[] =>
  runtime.kind === 'podman' ? cli(runtime, 'rm', '--force', '--ignore', '--time=0', '--', name) : cli(runtime, 'rm', '--force', '--', name);

/** `container inspect` printing the state word (running, exited...); fails with "no such container" when it is gone. */
export const buildStateArgv = (runtime: ContainerRuntime, name: string): string[] =>
  cli(runtime, 'container', 'inspect', '--format={{.State.Status}}', '--', name);

/** Reads a state query: the state word, null when the container does not exist, or an Error for anything else. */
export const parseStateResult = (exitCode: number | undefined, stdout: string, stderr: string): string | null | Error => {
  if (exitCode === 0) return stdout.trim().toLowerCase();
  if (/no such (container|object)/i.test(stderr)) return null;
  return new Error(stderr.trim().split('\n')[0] || `exit code ${String(exitCode)}`);
};

/** `ps --all` of the containers carrying every given label (key=value), as JSON. */
export const buildListArgv = (runtime: ContainerRuntime, labels: Record<string, string>): string[] => {
  const filters = Object.entries(labels).map(([key, value]) => `--filter=label=${key}=${value}`);
  const format = runtime.kind === 'podman' ? '--format=json' : '--format={{json .}}';
  return cli(runtime, 'ps', '--all', '--no-trunc', ...filters, format);
};

const asRecord = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});
const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

/** docker prints labels as "k=v,k=v" (values with commas are ambiguous; ours never hold one). */
const dockerLabels = (text: string): Record<string, string> => {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
};

const infoOf = (id: string, name: string, labels: Record<string, unknown>, state: string): ContainerInfo => ({
  id,
  name,
  project: asString(labels[PROJECT_LABEL]),
  unit: asString(labels[UNIT_LABEL]),
  runId: asString(labels[RUN_LABEL]),
  state: state.toLowerCase(),
});

/** Reads `ps` output: podman's JSON array, or docker's one JSON object per line. Throws on output it cannot read. */
export const parseContainerList = (runtime: ContainerRuntime, stdout: string): ContainerInfo[] => {
  const text = stdout.trim();
  if (text === '') return [];
  if (runtime.kind === 'podman') {
    const rows: unknown = JSON.parse(text);
    if (!Array.isArray(rows)) throw new Error('podman ps did not print a JSON array');
    return rows.map((row) => {
      const r = asRecord(row);
      const names = Array.isArray(r.Names) ? r.Names.map(asString) : [asString(r.Names)];
      return infoOf(asString(r.Id), names[0] ?? '', asRecord(r.Labels), asString(r.State));
    });
  }
  return text.split('\n').map((line) => {
    const r = asRecord(JSON.parse(line));
    const name = asString(r.Names).split(',')[0] ?? '';
    return infoOf(asString(r.ID), name, dockerLabels(asString(r.Labels)), asString(r.State));
  });
};
