// `sandbox.services`: the services seed's calls (upsert, start, stop, get, list, exec, delete) over the daemon's API.

import type { ApiClient } from '../daemon/api-client.js';
import { call } from './errors.js';
import type { ExecOptions, ExecResult, LogsOptions, LogsResult, Service, ServiceOptions } from './types.js';

/** Long-running background processes of the sandbox (`PUT/GET/DELETE /v1/services/{name}` and friends). */
export class Services {
  /** @internal Built by `Sandbox.connect`. */
  constructor(private readonly client: ApiClient) {}

  /**
   * Creates or updates a service (`PUT /v1/services/{name}`). A new service is not started: call `start`.
   * Changing what it runs (cmd, args, env, ...) restarts a running service; lifecycle-only fields update in place.
   * Rejects with SbxError (status 400, `field` naming the bad field) when the options are invalid.
   */
  upsert(name: string, options: ServiceOptions): Promise<Service> {
    return call(() => this.client.upsertService(name, options));
  }

  /** Starts a service, and first every service it `needs` (each must pass its health check). Resolves once acted on. */
  start(name: string): Promise<Service> {
    return call(() => this.client.startService(name));
  }

  /** Stops a service (dependents first); resolves once its processes are gone and its port is free. Keeps the definition. */
  stop(name: string): Promise<Service> {
    return call(() => this.client.stopService(name));
  }

  /** One service: `{ name, cmd, status, pid, container, ... }`, status `running | stopped | failed | unknown`. */
  get(name: string): Promise<Service> {
    return call(() => this.client.getService(name));
  }

  /** Every service, sorted by name. */
  list(): Promise<Service[]> {
    return call(() => this.client.listServices());
  }

  /**
   * Runs a one-shot command for a service (inside its container for `container: true`), argv as an array, never a
   * shell line. Resolves with `{ stdout, stderr, exit_code, timed_out }`; `timeout_secs` defaults to 60.
   */
  exec(name: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return call(() => this.client.execService(name, cmd, options));
  }

  /** The service's output as one string (`{ logs }`), like `server.logs`: `combined` (default, in order), `stdout` or `stderr`. */
  logs(name: string, options: LogsOptions = {}): Promise<LogsResult> {
    return call(() => this.client.serviceLogs(name, options));
  }

  /** Stops a service and removes its definition. */
  async delete(name: string): Promise<{ name: string; deleted: true }> {
    return call(() => this.client.deleteService(name));
  }
}
