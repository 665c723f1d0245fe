// `sandbox.server`: the managed-servers seed's calls (start, list, retrieve, stop, restart, delete, logs). A server
// object is live: every later call that reads the same slug refreshes the objects handed out for it, so the seed's
// `while (server.status !== 'ready') { ...; await sandbox.server.retrieve(slug) }` ends.

import type { ApiClient } from '../daemon/api-client.js';
import { call } from './errors.js';
import type { LogsOptions, LogsResult, Server, ServerStartOptions } from './types.js';

/** Supervised long-lived processes with install steps, restart policies, health checks and URLs. */
export class Servers {
  /** One live object per slug: the latest answer is copied into it. */
  readonly #live = new Map<string, Server>();

  /** @internal Built by `Sandbox.connect`. */
  constructor(private readonly client: ApiClient) {}

  /** Copies a fresh answer into the slug's live object (created on first sight) and returns that object. */
  #track(fresh: Server): Server {
    const known = this.#live.get(fresh.slug);
    if (!known) {
      this.#live.set(fresh.slug, fresh);
      return fresh;
    }
    for (const key of Object.keys(known)) if (!(key in fresh)) delete (known as unknown as Record<string, unknown>)[key];
    return Object.assign(known, fresh);
  }

  /**
   * Creates (or updates) and starts a server (`POST /v1/servers`). Resolves once it was launched: status
   * `installing` or `starting` (then `running`, then `ready` once its health check passes; `url` once it serves).
   * Declaring it again with changed options restarts it with them; rejects with SbxError on invalid options.
   */
  async start(options: ServerStartOptions): Promise<Server> {
    return this.#track(await call(() => this.client.startServer(options)));
  }

  /** Every server, sorted by slug. */
  async list(): Promise<Server[]> {
    return (await call(() => this.client.listServers())).map((s) => this.#track(s));
  }

  /** One server: `{ slug, status, url, port, pid, healthy, health_status, restart_count, ... }`. */
  async retrieve(slug: string): Promise<Server> {
    return this.#track(await call(() => this.client.getServer(slug)));
  }

  /** Graceful shutdown (SIGTERM, `stop_timeout_ms`, then SIGKILL), keeping the config; resolves once it is gone. */
  async stop(slug: string): Promise<Server> {
    return this.#track(await call(() => this.client.stopServer(slug)));
  }

  /** Stops and starts the server again; resolves once the new run was launched (status `starting`). */
  async restart(slug: string): Promise<Server> {
    return this.#track(await call(() => this.client.restartServer(slug)));
  }

  /** Stops the server and removes its config. */
  async delete(slug: string): Promise<{ slug: string; deleted: true }> {
    const answer = await call(() => this.client.deleteServer(slug));
    this.#live.delete(slug);
    return answer;
  }

  /** The server's output as one string (`{ logs }`): `combined` (default, in order), `stdout` or `stderr`. */
  logs(slug: string, options: LogsOptions = {}): Promise<LogsResult> {
    return call(() => this.client.serverLogs(slug, options));
  }
}
