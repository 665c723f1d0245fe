// The daemon's composition: lock the state folder, load and hand the saved state to the engine, keep saving it,
// and serve the API on a private Unix socket. Units outlive the daemon; a later daemon re-adopts them.

import { unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import PQueue from 'p-queue';
import type { EngineEvent } from '../engine/types.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import { DebouncedSaver } from '../state/debounced-saver.js';
import { FileStateStore } from '../state/file-state-store.js';
import { toSavedState } from '../state/saved-state.js';
import type { SavedState, StateStore } from '../state/types.js';
import type { DaemonDeps } from './deps.js';
import { listenPrivate } from './listen-private.js';
import { acquirePidLock, type LockHolder } from './pid-lock.js';
import { ensureToken } from './api-token.js';
import { listenTcp } from './listen-tcp.js';
import { DEFAULT_URL_HOST } from './public-url.js';
import { ensurePrivateDir } from './private-dir.js';
import { restoreWithheldEnv } from './restore-env.js';
import type { ApiContext } from './route.js';
import { buildApiServer } from './server.js';
import { chooseSocketPath, shortSocketDir, SOCKET_POINTER_NAME } from './socket-path.js';
import type { TcpAddress } from './tcp-address.js';

/** Files inside the state folder. */
export const STATE_FILE = 'state.json';
export const LOCK_FILE = 'daemon.lock';
export const LOG_FILE = 'daemon.log';

/** How a daemon is started. */
export interface DaemonOptions {
  stateDir: string;
  /** The project's manifest (default for `POST /v1/apply`); the project folder is its folder, else the state folder's parent. */
  manifestPath?: string | null;
  logger?: Logger;
  store?: StateStore;
  saveDelayMs?: number;
  /** Also serve the API over TCP on this loopback address, with a bearer token (off by default). */
  listen?: TcpAddress | null;
  /** Level of the daemon's own log when it makes the logger (default info). */
  logLevel?: string;
  /** Host of the `url` servers report (default 127.0.0.1); see public-url.ts. */
  urlHost?: string;
}

/** What a deps factory gets: where the daemon lives, its logger, and `changed` to call whenever there is state to save. */
export interface DepsContext {
  stateDir: string;
  projectDir: string;
  logger: Logger;
  changed: () => void;
}

/** Builds the daemon's dependencies once the lock is held (so a losing daemon never opens logs or processes). */
export type DepsFactory = (context: DepsContext) => Promise<DaemonDeps>;

/** A serving daemon. */
export interface RunningDaemon {
  socketPath: string;
  stateDir: string;
  app: FastifyInstance;
  /** The TCP listener's address (real port), or null when it is off. */
  tcp: TcpAddress | null;
  /** Stops serving, saves the state and releases the lock; units keep running. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the daemon has closed (after close(), or after `POST /v1/shutdown`). */
  closed: Promise<void>;
}

/** What starting found. */
export type StartOutcome = { started: true; daemon: RunningDaemon } | { started: false; holder: LockHolder };

const logEvent = (logger: Logger, event: EngineEvent): void => {
  const quiet = event.type === 'unit-health' || event.type === 'plan';
  logger[quiet ? 'debug' : 'info']({ event }, `engine: ${event.type}`);
};

/** Hands the saved state to the engine; state it cannot take is kept aside (logged), so the daemon still starts. */
const adoptSaved = async (engine: DaemonDeps['engine'], saved: SavedState, store: StateStore, logger: Logger): Promise<void> => {
  const units = Object.keys(saved.observed.units).length;
  if (!engine.adopt) {
    logger.warn({ units }, 'engine cannot adopt saved state; units of the previous daemon are not tracked');
    return;
  }
  try {
    logger.info({ units, result: await engine.adopt(saved) }, 'adopted the saved state');
  } catch (error) {
    const movedTo = await store.keepAside('unadoptable');
    logger.error({ err: error, movedTo }, 'the engine could not adopt the saved state; kept it aside and starting empty');
  }
};

/** Starts a daemon for `stateDir`, or reports the live daemon that already serves it. */
export const startDaemon = async (options: DaemonOptions, makeDeps: DepsFactory): Promise<StartOutcome> => {
  const stateDir = resolve(options.stateDir);
  const manifestPath = options.manifestPath ? resolve(options.manifestPath) : null;
  const projectDir = manifestPath ? dirname(manifestPath) : dirname(stateDir);
  await ensurePrivateDir(stateDir);
  const logger = options.logger ?? createLogger({ destination: join(stateDir, LOG_FILE), ...(options.logLevel ? { level: options.logLevel } : {}) });
  const taken = await acquirePidLock(join(stateDir, LOCK_FILE));
  if (!taken.acquired) {
    logger.info({ holder: taken.holder }, 'another daemon serves this state folder; exiting');
    return { started: false, holder: taken.holder };
  }
  const releases: (() => Promise<void>)[] = [() => taken.lock.release()];
  const undo = async (): Promise<void> => {
    for (const release of releases.reverse()) await release().catch(() => undefined);
  };
  try {
    const socket = chooseSocketPath(stateDir, process.getuid?.() ?? 0);
    if (socket.short) await ensurePrivateDir(shortSocketDir(process.getuid?.() ?? 0));
    const pointer = join(stateDir, SOCKET_POINTER_NAME);
    if (socket.short) await writeFileAtomic(pointer, `${socket.path}\n`);
    else await unlink(pointer).catch(() => undefined);

    let saver: DebouncedSaver | null = null;
    const deps = await makeDeps({ stateDir, projectDir, logger, changed: () => saver?.poke() });
    if (deps.dispose) releases.push(deps.dispose);
    const { engine } = deps;
    const store = options.store ?? new FileStateStore(join(stateDir, STATE_FILE));
    const loaded = await store.load();
    if (loaded.corrupt) logger.error({ movedTo: loaded.corrupt.movedTo, reason: loaded.corrupt.error }, 'state file unreadable; kept aside, starting empty');
    if (loaded.state) {
      const restored = await restoreWithheldEnv(loaded.state, { env: process.env, kept: loaded.kept ?? {}, loadManifest: deps.loadManifest });
      if (restored.missing.length > 0) {
        logger.warn({ variables: restored.missing }, 'env values changed at their source since the last apply; these units start again only after the next apply');
      }
      await adoptSaved(engine, restored.state, store, logger);
    }
    saver = new DebouncedSaver(store, () => toSavedState(engine.snapshot(), Date.now()), {
      ...(options.saveDelayMs !== undefined ? { delayMs: options.saveDelayMs } : {}),
      onError: (error) => logger.error({ err: error }, 'could not write the state file; keeping the previous one and retrying'),
    });
    const activeSaver = saver;
    const unsubscribe = engine.subscribe((event) => {
      logEvent(logger, event);
      activeSaver.poke();
    });
    releases.push(async () => {
      unsubscribe();
      await activeSaver.close();
    });

    let closing: Promise<void> | null = null;
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((done) => (markClosed = done));
    const ctx: ApiContext = {
      deps,
      logger,
      paths: { stateDir, projectDir, manifestPath, socketPath: socket.path },
      urlHost: options.urlHost ?? DEFAULT_URL_HOST,
      startedAt: Date.now(),
      now: Date.now,
      applyQueue: new PQueue({ concurrency: 1 }),
      applyGeneration: { value: 0 },
      changed: () => activeSaver.poke(),
      persist: () => activeSaver.flush(),
      requestExit: () => void daemon.close(),
    };
    const app = buildApiServer(ctx);
    await app.ready();
    releases.push(async () => {
      app.server.closeAllConnections();
      await app.close();
    });
    await listenPrivate(app.server, socket.path);
    releases.push(() => unlink(socket.path).catch(() => undefined));
    let tcp: TcpAddress | null = null;
    if (options.listen) {
      const listener = await listenTcp(app, options.listen, await ensureToken(stateDir), logger);
      releases.push(() => listener.close());
      tcp = listener.address;
    }
    activeSaver.poke();
    logger.info({ pid: process.pid, socket: socket.path, tcp, stateDir, manifestPath, adopted: loaded.state !== null }, 'daemon listening');

    const daemon: RunningDaemon = {
      socketPath: socket.path,
      stateDir,
      app,
      tcp,
      close: () => {
        closing ??= (async () => {
          logger.info('daemon closing');
          await undo();
          logger.flush?.();
          markClosed();
        })();
        return closing;
      },
      closed,
    };
    return { started: true, daemon };
  } catch (error) {
    await undo();
    throw error;
  }
};
