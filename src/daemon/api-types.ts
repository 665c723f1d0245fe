// The HTTP API's wire shapes (seed field names), shared by the daemon's routes, the API client and the SDK.

import type { Action, EngineEvent, Hold, UnitOwner, UnitPhase } from '../engine/types.js';
import type { HealthCheckSpec } from '../manifest/types.js';
import type { HealthStatus } from '../runtime/prober.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { LogLine } from '../runtime/log-store.js';

/** Every error answer: `{ error: { code, message, field } }`; `diagnostics` when a manifest or body was invalid. */
export interface ErrorBody {
  error: { code: string; message: string; field: string | null; diagnostics?: Diagnostic[] };
}

/** The services seed's status vocabulary ("running" = the health port accepts / the unit is ready). */
export type ServiceStatus = 'running' | 'stopped' | 'failed' | 'unknown';

/** The managed-servers seed's status vocabulary. */
export type ServerStatus = 'installing' | 'starting' | 'running' | 'ready' | 'stopped' | 'failed' | 'restarting';

/** An environment variable as the API shows it: the value only when the name does not look secret. */
export type EnvView = Record<string, string>;

/** Richer detail beside the seed's status. */
export interface UnitDetail {
  phase: UnitPhase;
  owner: UnitOwner;
  enabled: boolean;
  restart_count: number;
  exit_code: number | null;
  exit_signal: string | null;
  last_error: string | null;
  hold: { reason: Hold['reason']; on: string[]; message: string } | null;
}

/** `GET /v1/services/{name}`. */
export interface ServiceView extends UnitDetail {
  name: string;
  cmd: string;
  args: string[];
  env: EnvView;
  working_dir: string;
  user: string | null;
  health_port: number | null;
  needs: string[];
  container: boolean;
  image: string;
  status: ServiceStatus;
  pid: number | null;
  port: number | null;
}

/** `GET /v1/servers/{slug}`. */
export interface ServerView extends UnitDetail {
  slug: string;
  status: ServerStatus;
  url: string | null;
  port: number | null;
  strict_port: boolean;
  pid: number | null;
  healthy: boolean;
  health_status: HealthStatus;
  install: string | null;
  start: string;
  path: string;
  environment: EnvView;
  env_file: string[];
  restart_policy: string;
  max_restarts: number;
  restart_delay_ms: number;
  stop_timeout_ms: number;
  health_check: HealthCheckSpec | null;
  needs: string[];
}

/** `POST /v1/services/{name}/exec` answer. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exit_code: number | null;
  /** True when the command was killed at `timeout_secs`. */
  timed_out: boolean;
}

/** `GET /v1/servers/{slug}/logs` answer. */
export interface LogsResult {
  logs: string;
}

/** `GET …/logs?format=lines` answer: each line with its stream and when sbx read it. */
export interface LogLinesResult {
  lines: LogLine[];
}

/** One row of `GET /v1/status`. */
export interface UnitStatusView extends UnitDetail {
  name: string;
  kind: 'service' | 'server';
  pid: number | null;
  port: number | null;
  healthy: boolean | null;
  health_status: HealthStatus | null;
  ready_at: number | null;
  started_at: number | null;
}

/** `GET /v1/status`. */
export interface StatusView {
  project: string;
  units: UnitStatusView[];
  overlays: { name: string; status: string; digest: string | null; error: string | null }[];
}

/** `GET /v1/health`. */
export interface HealthView {
  ok: true;
  pid: number;
  project: string;
  state_dir: string;
  manifest_path: string | null;
  socket: string;
  uptime_ms: number;
}

/** Body of `POST /v1/apply` and `POST /v1/plan`; `path` defaults to the daemon's manifest. */
export interface ApplyRequest {
  /** The manifest file (relative to the project folder); with `manifest`, where that text is taken to live. */
  path?: string;
  /** The manifest's YAML itself, instead of reading `path`. */
  manifest?: string;
  prune?: boolean;
  dry_run?: boolean;
  timeout_ms?: number;
}

/** `POST /v1/plan` answer. */
export interface PlanView {
  project: string;
  manifest_path: string;
  actions: Action[];
  holds: Hold[];
  in_sync: boolean;
  /** Problems that do not block, e.g. an env file with secrets that other users can read. */
  warnings?: Diagnostic[];
}

/** One NDJSON line of `POST /v1/apply`: the plan, engine events, then one result. */
export type ApplyMessage =
  | ({ type: 'plan' } & PlanView)
  | { type: 'event'; event: EngineEvent }
  | {
      type: 'result';
      ready: string[];
      failed: string[];
      /** Units that exited cleanly and stay stopped under their restart policy. */
      stopped: string[];
      /** Units neither ready nor failed when the apply stopped waiting. */
      pending: string[];
      timed_out: boolean;
      /** A later apply replaced the desired state before this one converged. */
      superseded: boolean;
      dry_run: boolean;
    }
  | { type: 'error'; error: ErrorBody['error'] };

/** `POST /v1/shutdown` answer. */
export interface ShutdownResult {
  stopping: true;
  stopped_units: string[];
}

/** One NDJSON line of a followed log. */
export type LogLineView = LogLine;

/** A `needs` entry in an API body. */
export type NeedInput = string | { name: string; restart?: boolean };

/** Lifecycle fields both kinds accept (spec §2). */
export interface LifecycleInput {
  restart_policy?: 'never' | 'on-failure' | 'always';
  max_restarts?: number;
  restart_delay_ms?: number;
  stop_timeout_ms?: number;
  needs?: NeedInput[];
}

/** Dotenv files: a path, or paths and `{ path, required }` (a missing required file is an error). */
export type EnvFileInput = string | (string | { path: string; required?: boolean })[];

/** An HTTP health check (the managed-servers seed's defaults apply to what is left out). */
export interface HealthCheckInput {
  path?: string;
  interval_ms?: number;
  timeout_ms?: number;
  delay_ms?: number;
}

/** Body of `PUT /v1/services/{name}` (the services seed, plus the fields both kinds share, spec §2). */
export interface ServiceInput extends LifecycleInput {
  cmd: string;
  args?: string[];
  env?: Record<string, string>;
  env_file?: EnvFileInput;
  working_dir?: string;
  user?: string;
  port?: number;
  strict_port?: boolean;
  health_port?: number;
  health_check?: HealthCheckInput;
  container?: boolean;
  image?: string;
}

/** Body of `POST /v1/servers` (the managed-servers seed, plus the fields both kinds share, spec §2). */
export interface ServerInput extends LifecycleInput {
  slug: string;
  start: string;
  install?: string;
  path?: string;
  port?: number;
  strict_port?: boolean;
  environment?: Record<string, string>;
  env_file?: EnvFileInput;
  user?: string;
  health_port?: number;
  health_check?: HealthCheckInput;
  overlay?: { source: string; target: string; strategy?: 'copy' | 'smart'; ignore?: string[] };
}

/** One unit as a checkpoint recorded it. */
export interface CheckpointUnitView {
  name: string;
  /** True when it had a live run the desired state wanted: restore starts it. */
  running: boolean;
  /** Its spec fingerprint when recorded (a restore restarts a unit whose fingerprint changed since). */
  fingerprint: string;
  phase: UnitPhase;
}

/** `POST /v1/checkpoints` (201), `GET /v1/checkpoints` (a list, oldest first), `GET /v1/checkpoints/{name}`. */
export interface CheckpointView {
  name: string;
  /** ISO 8601. */
  created_at: string;
  project: string;
  units: CheckpointUnitView[];
}

/** Body of `POST /v1/checkpoints`; a name taken is a 409 unless overwrite. */
export interface CreateCheckpointRequest {
  name: string;
  overwrite?: boolean;
}

/** Optional body of `POST /v1/checkpoints/{name}/restore`. */
export interface RestoreRequest {
  /** How long to wait for units to settle (default 300000). */
  timeout_ms?: number;
}

/** `POST /v1/checkpoints/{name}/restore`. The three seed lists are disjoint; the rest say more. */
export interface RestoreResult {
  /** Recorded as running, not running before the restore, ready after it. */
  started_services: string[];
  /** Running before the restore and down after it (the checkpoint has them stopped, or lacks them). */
  stopped_services: string[];
  /** Recorded as running but not ready after the restore (or, at the timeout, still up when they should be down). */
  failed_services: string[];
  /** Why each failed unit failed. */
  failures: Record<string, string>;
  /** Running before and after on a new run: their spec changed since the checkpoint, restarted with the recorded one. */
  restarted_services: string[];
  /** Running before and after on the same run. */
  unchanged_services: string[];
  /** Units the checkpoint lacks, removed (running ones are in stopped_services too). */
  deleted_services: string[];
  /** True when the restore stopped waiting before every unit settled. */
  timed_out: boolean;
}
