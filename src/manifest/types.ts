// The resolved desired state: what the loader produces and the engine consumes. Pure data, JSON-serialisable.
// Field names follow the seeds (snake_case) so specs, API answers and the manifest read the same.

import type { Diagnostic, SourceLocation } from '../shared/diagnostic.js';

export type UnitKind = 'service' | 'server';
export type RestartPolicy = 'never' | 'on-failure' | 'always';
export type OverlayStrategy = 'copy' | 'smart';

/** Where an environment variable's winning value came from (for `sbx env` and `sbx diff`). */
export type EnvSource =
  | { kind: 'sbx-environment' }
  | { kind: 'env-file'; file: string; line: number }
  | { kind: 'manifest'; key: string; location?: SourceLocation }
  | { kind: 'injected'; key: string };

/** One merged variable with its provenance; `secret` when its name looks like a secret (KEY, TOKEN, ...). */
export interface EnvVar {
  value: string;
  source: EnvSource;
  secret: boolean;
  /**
   * Set when the value is not known here: the state file never stores values from env files, from sbx's environment
   * or of secret-looking names, and a restarted daemon could not re-derive this one (`value` is then ''). A unit
   * with such a variable is not launched until the next apply (src/state/withhold-env.ts).
   */
  withheld?: boolean;
  /** In the state file, in place of a withheld value: `sha256:<hex>` of it, so a re-derived value is used only if it is the same. */
  digest?: string;
}

/** HTTP readiness/liveness probe, seed defaults applied. */
export interface HealthCheckSpec {
  path: string;
  interval_ms: number;
  timeout_ms: number;
  delay_ms: number;
}

/** A dependency edge; `restart` makes this unit restart whenever the named one restarts. */
export interface NeedSpec {
  name: string;
  restart: boolean;
}

/** An env file a unit (or the project) reads, with a digest of its content at load time. */
export interface EnvFileRef {
  path: string;
  required: boolean;
  /** sha256 of the content, or null when the file is optional and missing. */
  sha256: string | null;
}

/** A file tree laid down before the units that need it start. */
export interface OverlaySpec {
  name: string;
  /** Absolute source directory. */
  source: string;
  /** Absolute target directory. */
  target: string;
  strategy: OverlayStrategy;
  /** Globs (relative to source) that are not copied. */
  ignore: string[];
  /** Directory names symlinked instead of copied under `smart` (node_modules, .venv, plus the overlay's own list). */
  immutable: string[];
  /** Other overlays or units this overlay waits for. */
  needs: NeedSpec[];
  location?: SourceLocation;
}

/** Everything needed to run one unit; produced by resolve, never mutated afterwards. */
export interface UnitSpec {
  name: string;
  kind: UnitKind;
  /** Services: the executable. Servers: the `start` shell line. */
  cmd: string;
  args: string[];
  /** The exact argv to exec: services [cmd, ...args]; servers ['/bin/sh', '-c', start]. */
  argv: string[];
  /** Shell line run before start (servers), status `installing`. */
  install: string | null;
  /** Absolute working directory. */
  cwd: string;
  /** Merged environment (without what sbx injects at start, such as PORT). */
  env: Record<string, EnvVar>;
  env_files: EnvFileRef[];
  user: string | null;
  port: number | null;
  strict_port: boolean;
  health_port: number | null;
  health_check: HealthCheckSpec | null;
  container: boolean;
  image: string | null;
  restart_policy: RestartPolicy;
  /** 0 = unlimited. */
  max_restarts: number;
  restart_delay_ms: number;
  stop_timeout_ms: number;
  /** Units and overlays this unit waits for. */
  needs: NeedSpec[];
  /** Names of overlays this unit needs (declared in `needs`, or its inline `overlay`). */
  overlays: string[];
  /** Units whose `${units.NAME.port}` / `${units.NAME.url}` this unit uses (in cmd, args, start, install or env); each is also a need. Always set by the loader. */
  unit_refs?: string[];
  /** sha256 over every launch-relevant field (argv, cwd, env values, env-file contents, user, port, image, install...). */
  fingerprint: string;
  /** Where the unit is declared. */
  location?: SourceLocation;
}

/** The whole desired state of a project. */
export interface DesiredState {
  /** Project name (manifest `name`, default the manifest folder's name). */
  project: string;
  /** Absolute path of the manifest, when loaded from a file. */
  manifest_path: string | null;
  /** Absolute folder paths resolve against. */
  dir: string;
  units: Record<string, UnitSpec>;
  overlays: Record<string, OverlaySpec>;
  /** Every file the desired state was read from (manifest and env files), for watch mode. */
  inputs: string[];
  /** Problems that do not block (an env file with secrets that others can read); set by the file loader. */
  warnings?: Diagnostic[];
}
