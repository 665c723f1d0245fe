// A typed client for the daemon's API over its Unix socket: one method per route, NDJSON answers as async iterables.
// Used by the CLI and by the SDK.

import type { EngineEvent } from '../engine/types.js';
import type { LogView } from '../runtime/log-store.js';
import type {
  ApplyMessage,
  ApplyRequest,
  CheckpointView,
  CreateCheckpointRequest,
  ExecResult,
  HealthView,
  LogLineView,
  LogLinesResult,
  LogsResult,
  PlanView,
  RestoreRequest,
  RestoreResult,
  ServerInput,
  ServerView,
  ServiceInput,
  ServiceView,
  ShutdownResult,
  StatusView,
  UnitStatusView,
} from './api-types.js';
import { ApiError, requestJson, requestStream, type CallOptions, type NdjsonStream } from './http-transport.js';
import { locateSocket } from './socket-path.js';

export { ApiError, type NdjsonStream } from './http-transport.js';

/** Which log lines to read. */
export interface LogsOptions {
  stream?: LogView;
  tail?: number;
}

type ApplyResult = Extract<ApplyMessage, { type: 'result' }>;

const seg = (name: string): string => encodeURIComponent(name);

const logsQuery = (options: LogsOptions, follow: boolean, format?: 'lines'): string => {
  const params = new URLSearchParams();
  if (format) params.set('format', format);
  if (options.stream) params.set('stream', options.stream);
  if (options.tail !== undefined) params.set('tail', String(options.tail));
  if (follow) params.set('follow', '1');
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** `?timeout_ms=N` when given. */
const waitQueryOf = (options: { timeout_ms?: number }): string => (options.timeout_ms === undefined ? '' : `?timeout_ms=${options.timeout_ms}`);

/** The daemon's API. Every method rejects with ApiError (status 0 when the daemon is unreachable). */
export class ApiClient {
  constructor(
    readonly socketPath: string,
    private readonly defaults: CallOptions = {},
  ) {}

  /** A client for the daemon of a state folder (following a recorded short socket path). */
  static async forStateDir(stateDir: string, defaults: CallOptions = {}): Promise<ApiClient> {
    return new ApiClient(await locateSocket(stateDir), defaults);
  }

  #json<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    return requestJson<T>(this.socketPath, method, path, body, { ...this.defaults, ...options });
  }

  #stream<T>(method: string, path: string, body?: unknown): Promise<NdjsonStream<T>> {
    return requestStream<T>(this.socketPath, method, path, body, this.defaults);
  }

  // --- daemon ---

  /** Liveness and where the daemon lives. */
  health(options: CallOptions = {}): Promise<HealthView> {
    return this.#json('GET', '/v1/health', undefined, options);
  }

  /** Every unit with phase, hold, health, pid, port and restarts. */
  status(): Promise<StatusView> {
    return this.#json('GET', '/v1/status');
  }

  /** The engine's events from now on; resolves once subscribed. */
  events(): Promise<NdjsonStream<EngineEvent>> {
    return this.#stream('GET', '/v1/events');
  }

  /** Applies a manifest: the plan, then events, then one result line. A 422 (invalid manifest) rejects before any line. */
  apply(request: ApplyRequest = {}): Promise<NdjsonStream<ApplyMessage>> {
    return this.#stream('POST', '/v1/apply', request);
  }

  /** Applies and waits for the final result, passing every line to `onMessage`. */
  async applyAndWait(request: ApplyRequest = {}, onMessage: (message: ApplyMessage) => void = () => undefined): Promise<ApplyResult> {
    const stream = await this.apply(request);
    for await (const message of stream) {
      onMessage(message);
      if (message.type === 'result') return message;
      if (message.type === 'error') throw new ApiError(0, message.error.code, message.error.message, message.error.field);
    }
    throw new ApiError(0, 'stream-aborted', 'the apply stream ended without a result');
  }

  /** What apply would do, changing nothing. */
  plan(request: ApplyRequest = {}): Promise<PlanView> {
    return this.#json('POST', '/v1/plan', request);
  }

  /** Stops the daemon (and every unit, in reverse dependency order, when stop_units). */
  shutdown(body: { stop_units: boolean }): Promise<ShutdownResult> {
    return this.#json('POST', '/v1/shutdown', body);
  }

  // --- services (seed) ---

  upsertService(name: string, body: ServiceInput): Promise<ServiceView> {
    return this.#json('PUT', `/v1/services/${seg(name)}`, body);
  }
  startService(name: string): Promise<ServiceView> {
    return this.#json('POST', `/v1/services/${seg(name)}/start`);
  }
  stopService(name: string): Promise<ServiceView> {
    return this.#json('POST', `/v1/services/${seg(name)}/stop`);
  }
  /** Runs `cmd` (an argv array, never a shell line) for the service. */
  execService(name: string, cmd: string[], options: { timeout_secs?: number } = {}): Promise<ExecResult> {
    return this.#json('POST', `/v1/services/${seg(name)}/exec`, { cmd, ...options });
  }
  /** Like execService, for a unit of either kind. */
  execUnit(name: string, cmd: string[], options: { timeout_secs?: number } = {}): Promise<ExecResult> {
    return this.#json('POST', `/v1/units/${seg(name)}/exec`, { cmd, ...options });
  }
  listServices(): Promise<ServiceView[]> {
    return this.#json('GET', '/v1/services');
  }
  getService(name: string): Promise<ServiceView> {
    return this.#json('GET', `/v1/services/${seg(name)}`);
  }
  deleteService(name: string): Promise<{ name: string; deleted: true }> {
    return this.#json('DELETE', `/v1/services/${seg(name)}`);
  }

  // --- servers (seed) ---

  /** Creates (or updates) and starts a server. */
  startServer(body: ServerInput): Promise<ServerView> {
    return this.#json('POST', '/v1/servers', body);
  }
  listServers(): Promise<ServerView[]> {
    return this.#json('GET', '/v1/servers');
  }
  getServer(slug: string): Promise<ServerView> {
    return this.#json('GET', `/v1/servers/${seg(slug)}`);
  }
  stopServer(slug: string): Promise<ServerView> {
    return this.#json('POST', `/v1/servers/${seg(slug)}/stop`);
  }
  restartServer(slug: string): Promise<ServerView> {
    return this.#json('POST', `/v1/servers/${seg(slug)}/restart`);
  }
  deleteServer(slug: string): Promise<{ slug: string; deleted: true }> {
    return this.#json('DELETE', `/v1/servers/${seg(slug)}`);
  }
  serviceLogs(name: string, options: LogsOptions = {}): Promise<LogsResult> {
    return this.#json('GET', `/v1/services/${seg(name)}/logs${logsQuery(options, false)}`);
  }
  serverLogs(slug: string, options: LogsOptions = {}): Promise<LogsResult> {
    return this.#json('GET', `/v1/servers/${seg(slug)}/logs${logsQuery(options, false)}`);
  }
  followServerLogs(slug: string, options: LogsOptions = {}): Promise<NdjsonStream<LogLineView>> {
    return this.#stream('GET', `/v1/servers/${seg(slug)}/logs${logsQuery(options, true)}`);
  }

  // --- checkpoints ---

  /** Records the desired state, fingerprints and which units run (409 when the name is taken, unless overwrite). */
  createCheckpoint(body: CreateCheckpointRequest): Promise<CheckpointView> {
    return this.#json('POST', '/v1/checkpoints', body);
  }
  /** Every checkpoint, oldest first. */
  listCheckpoints(): Promise<CheckpointView[]> {
    return this.#json('GET', '/v1/checkpoints');
  }
  getCheckpoint(name: string): Promise<CheckpointView> {
    return this.#json('GET', `/v1/checkpoints/${seg(name)}`);
  }
  /** Converges back to a checkpoint and answers what started, stopped and failed (once settled or at the timeout). */
  restoreCheckpoint(name: string, body: RestoreRequest = {}): Promise<RestoreResult> {
    return this.#json('POST', `/v1/checkpoints/${seg(name)}/restore`, body);
  }
  deleteCheckpoint(name: string): Promise<{ name: string; deleted: true }> {
    return this.#json('DELETE', `/v1/checkpoints/${seg(name)}`);
  }

  // --- any unit by name (CLI) ---

  getUnit(name: string): Promise<UnitStatusView> {
    return this.#json('GET', `/v1/units/${seg(name)}`);
  }
  /** Starts a unit; answers once it is ready or failed, or after `timeout_ms` (default 120 s) with it on its way. */
  startUnit(name: string, options: { timeout_ms?: number } = {}): Promise<UnitStatusView> {
    return this.#json('POST', `/v1/units/${seg(name)}/start${waitQueryOf(options)}`);
  }
  stopUnit(name: string): Promise<UnitStatusView> {
    return this.#json('POST', `/v1/units/${seg(name)}/stop`);
  }
  /** Restarts a unit; answers as startUnit does. */
  restartUnit(name: string, options: { timeout_ms?: number } = {}): Promise<UnitStatusView> {
    return this.#json('POST', `/v1/units/${seg(name)}/restart${waitQueryOf(options)}`);
  }
  deleteUnit(name: string): Promise<{ name: string; deleted: true }> {
    return this.#json('DELETE', `/v1/units/${seg(name)}`);
  }
  unitLogs(name: string, options: LogsOptions = {}): Promise<LogsResult> {
    return this.#json('GET', `/v1/units/${seg(name)}/logs${logsQuery(options, false)}`);
  }
  /** The stored lines with their stream and time (the CLI's `logs` without -f). */
  unitLogLines(name: string, options: LogsOptions = {}): Promise<LogLinesResult> {
    return this.#json('GET', `/v1/units/${seg(name)}/logs${logsQuery(options, false, 'lines')}`);
  }
  followUnitLogs(name: string, options: LogsOptions = {}): Promise<NdjsonStream<LogLineView>> {
    return this.#stream('GET', `/v1/units/${seg(name)}/logs${logsQuery(options, true)}`);
  }
}
