// The SDK's public shapes: the seeds' argument and result shapes (the daemon's wire types), under the names users see.

import type {
  ApplyMessage,
  ExecResult as WireExecResult,
  LogsResult as WireLogsResult,
  PlanView,
  ServerInput,
  ServerStatus,
  ServerView,
  ServiceInput,
  ServiceStatus,
  ServiceView,
  StatusView,
} from '../daemon/api-types.js';
import type { EngineEvent } from '../engine/types.js';
import type { LogView } from '../runtime/log-store.js';

export type { ServerStatus, ServiceStatus, EngineEvent, PlanView, StatusView };

/** `sandbox.services.upsert(name, options)`: the services seed's body (`cmd`, `args`, `env`, `health_port`, ...). */
export type ServiceOptions = ServiceInput;

/** A service as `services.get/list/start/stop/upsert` answer it (seed fields plus phase, restarts, last exit, hold). */
export type Service = ServiceView;

/** `sandbox.server.start(options)`: the managed-servers seed's options (`slug`, `start`, `install`, `path`, ...). */
export type ServerStartOptions = ServerInput;

/** A server as the server calls answer it (`slug`, `status`, `url`, `port`, `pid`, `healthy`, `health_status`, ...). */
export type Server = ServerView;

/** `services.exec` answer: `{ stdout, stderr, exit_code, timed_out }`. */
export type ExecResult = WireExecResult;

/** `services.exec` options; `timeout_secs` (seconds, default 60) as in the services seed. */
export interface ExecOptions {
  timeout_secs?: number;
}

/** `server.logs` answer: `{ logs }`. */
export type LogsResult = WireLogsResult;

/** `server.logs` options: which stream (default `combined`, in order) and how many lines from the end. */
export interface LogsOptions {
  stream?: LogView;
  tail?: number;
}

/** `sandbox.apply` options: the manifest (default the project's), prune (default true), dry run, how long to wait. */
export interface ApplyOptions {
  path?: string;
  /** The manifest's YAML itself (e.g. generated), instead of the file at `path`; `path` then names it and anchors its relative paths. */
  manifest?: string;
  prune?: boolean;
  dry_run?: boolean;
  /** How long the daemon waits for the units to converge before answering (default 300 000). */
  timeout_ms?: number;
  /** Called with every line of the apply: the plan, each engine event, the result. */
  onEvent?: (message: ApplyMessage) => void;
}

/** `sandbox.plan` options. */
export interface PlanOptions {
  path?: string;
  /** The manifest's YAML itself, as for `apply`. */
  manifest?: string;
  prune?: boolean;
}

/** What an apply ended with: units ready, failed, stopped (clean exit) and still pending. */
export type ApplyResult = Omit<Extract<ApplyMessage, { type: 'result' }>, 'type'>;

export type { ApplyMessage };

/** An overlay declared at `Sandbox.connect`: the seed's `{ source, target, strategy }`, optionally named. */
export interface OverlayDeclaration {
  /** Name used in `needs`; default `overlay-1`, `overlay-2`... by position. */
  name?: string;
  source: string;
  target: string;
  strategy?: 'copy' | 'smart';
  ignore?: string[];
  /** Extra directory names symlinked instead of copied under `smart`. */
  immutable?: string[];
  needs?: string[];
}
