// `Sandbox.connect({ dir })`: the SDK's entry point. Finds (or starts) the project's daemon and groups the seeds'
// calls: `sandbox.services`, `sandbox.server`, `sandbox.checkpoints`, plus apply, plan, status and events.

import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { ApiClient } from '../daemon/api-client.js';
import type { ShutdownResult } from '../daemon/api-types.js';
import { ensureDaemon } from '../daemon/ensure-daemon.js';
import { ensurePrivateDir } from '../daemon/private-dir.js';
import { Checkpoints } from './checkpoints.js';
import { declaredManifest, projectNameOf, type Declarations } from './declarations.js';
import { call, SbxError } from './errors.js';
import { EventStream } from './events.js';
import { Servers } from './servers.js';
import { Services } from './services.js';
import type { ApplyOptions, ApplyResult, PlanOptions, PlanView, StatusView } from './types.js';

/** `Sandbox.connect` options. */
export interface ConnectOptions extends Declarations {
  /** The project folder: relative paths in calls resolve against it; its `sandbox.yaml` is the default manifest. */
  dir: string;
  /** State folder (socket, state, logs); default `<dir>/.sbx`. Must sit directly in `dir` unless `dir` has a sandbox.yaml. */
  stateDir?: string;
  /** How long to wait for a daemon to start (default 15 000 ms). */
  timeoutMs?: number;
}

/** File name of the project's manifest in `dir`. */
const MANIFEST = 'sandbox.yaml';

/** Where the servers and overlays declared at connect are written, inside the state folder. */
const DECLARED_MANIFEST = join('sdk', 'sandbox.yaml');

const refuse = (field: string, message: string): SbxError => new SbxError(0, 'invalid-option', message, field);

/** Writes a file atomically (temp file, then rename), so a daemon never reads half of it. */
const writeAtomic = async (path: string, text: string): Promise<void> => {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, path);
};

/** A connection to one project's supervisor daemon. */
export class Sandbox {
  /** Long-running background processes (the services seed). */
  readonly services: Services;
  /** Managed servers with install steps, restart policies and health checks (the managed-servers seed). */
  readonly server: Servers;
  /** Named snapshots of the desired state and of which units run. */
  readonly checkpoints: Checkpoints;
  readonly #client: ApiClient;
  readonly #streams = new Set<EventStream>();
  /** The manifest `apply()` and `plan()` use when given no path: the declared one, else the daemon's own. */
  readonly #defaultManifest: string | undefined;

  private constructor(
    client: ApiClient,
    /** Absolute project folder. */
    readonly dir: string,
    /** Absolute state folder. */
    readonly stateDir: string,
    defaultManifest: string | undefined,
  ) {
    this.#client = client;
    this.#defaultManifest = defaultManifest;
    this.services = new Services(client);
    this.server = new Servers(client);
    this.checkpoints = new Checkpoints(client);
  }

  /**
   * Connects to the project's daemon, starting it in the background if none answers (state in `<dir>/.sbx`).
   * `servers` and `overlays` declare the project's servers at start (the seed's `compute.sandbox.create({ servers,
   * overlays })`): they are written as a manifest in the state folder and applied, idempotently (connecting again
   * with the same declarations changes nothing; servers dropped from them are removed). Each declared server waits
   * for the declared overlays whose target holds its `path`. Resolves once the declarations are accepted; rejects
   * with SbxError when they are invalid, when `dir` already has a sandbox.yaml (declare them there), or when no
   * daemon could be started.
   */
  static async connect(options: ConnectOptions): Promise<Sandbox> {
    if (!options || typeof options.dir !== 'string' || !options.dir) throw refuse('dir', 'dir: expected the project folder');
    const dir = resolve(options.dir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw refuse('dir', `dir: ${dir} is not a folder`);
    const stateDir = resolve(dir, options.stateDir ?? '.sbx');
    const projectManifest = existsSync(join(dir, MANIFEST)) ? join(dir, MANIFEST) : null;
    if (!projectManifest && dirname(stateDir) !== dir) {
      throw refuse('stateDir', `stateDir: ${stateDir} must sit directly in ${dir} (without a sandbox.yaml, the daemon resolves relative paths against the state folder's parent)`);
    }
    const declares = options.servers !== undefined || options.overlays !== undefined;
    if (declares && projectManifest) {
      throw refuse(options.servers ? 'servers' : 'overlays', `${projectManifest} already declares this project: declare servers and overlays there, or start servers with sandbox.server.start()`);
    }
    const declared = declares ? declaredManifest(dir, projectNameOf(basename(dir)), options) : null;
    let declaredPath: string | undefined;
    if (declared) {
      await call(() => ensurePrivateDir(stateDir));
      declaredPath = join(stateDir, DECLARED_MANIFEST);
      await call(() => writeAtomic(declaredPath as string, `# Written by the sbx SDK from Sandbox.connect({ servers, overlays }); rewritten on every connect.\n${stringify(declared)}`));
    }
    // Always name <dir>/sandbox.yaml: a daemon started with no manifest would take ./sandbox.yaml of *our* cwd as its
    // project; a path that does not exist tells it "no manifest, the project is the state folder's parent".
    const manifestPath = projectManifest ?? join(dir, MANIFEST);
    const client = await call(() =>
      ensureDaemon({ stateDir, manifestPath, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) }),
    );
    const sandbox = new Sandbox(client, dir, stateDir, declaredPath);
    if (declaredPath) await sandbox.#accept(declaredPath);
    return sandbox;
  }

  /** Applies a manifest and returns once the daemon accepted it (its plan), leaving the units to come up. */
  async #accept(path: string): Promise<void> {
    const stream = await call(() => this.#client.apply({ path, prune: true }));
    try {
      for await (const message of stream) {
        if (message.type === 'error') throw new SbxError(0, message.error.code, message.error.message, message.error.field);
        if (message.type === 'plan') return;
      }
    } finally {
      stream.close();
    }
  }

  /**
   * Applies a manifest (default: the servers declared at connect, else the project's sandbox.yaml) and resolves once
   * every unit is ready or failed (or `timeout_ms` passed) with `{ ready, failed, stopped, pending, timed_out, ... }`.
   * `onEvent` sees the plan, every engine event and the result. An invalid manifest rejects (status 422, diagnostics).
   */
  async apply(options: ApplyOptions = {}): Promise<ApplyResult> {
    const { onEvent, ...request } = options;
    const path = request.path ?? this.#defaultManifest;
    const { type: _type, ...result } = await call(() =>
      this.#client.applyAndWait({ ...request, ...(path !== undefined ? { path } : {}) }, onEvent ?? (() => undefined)),
    );
    return result;
  }

  /** What `apply` would do, unit by unit with reasons (`actions`), and why the others wait (`holds`); changes nothing. */
  plan(options: PlanOptions = {}): Promise<PlanView> {
    const path = options.path ?? this.#defaultManifest;
    return call(() => this.#client.plan({ ...options, ...(path !== undefined ? { path } : {}) }));
  }

  /** Every unit (services and servers) with phase, hold, health, pid, port and restarts, and every overlay. */
  status(): Promise<StatusView> {
    return call(() => this.#client.status());
  }

  /** The engine's events from now on, as an async iterable (`await events.ready` to know it is subscribed). */
  events(): EventStream {
    const stream = new EventStream(this.#client, (closed) => this.#streams.delete(closed));
    this.#streams.add(stream);
    return stream;
  }

  /** Stops the daemon; with `stop_units` every unit is stopped first (dependents first), else units keep running. */
  shutdown(options: { stop_units: boolean } = { stop_units: false }): Promise<ShutdownResult> {
    this.close();
    return call(() => this.#client.shutdown(options));
  }

  /** Ends this connection's event streams. The daemon and its units keep running. */
  close(): void {
    for (const stream of [...this.#streams]) stream.close();
  }
}
