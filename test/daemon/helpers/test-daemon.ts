// Starts an in-process daemon on a temp state folder with the fake engine, the real manifest loader and resolver,
// a fake log store and the host executor; cleans everything up.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../../src/daemon/api-client.js';
import { startDaemon, type RunningDaemon } from '../../../src/daemon/daemon.js';
import type { DaemonDeps } from '../../../src/daemon/deps.js';
import { hostExecutor } from '../../../src/daemon/host-exec.js';
import { FakeEngine } from '../../../src/daemon/testing/fake-engine.js';
import { loadManifest, resolveUnitFromApi } from '../../../src/manifest/load.js';
import { FakeLogStore } from '../../../src/runtime/fakes/fake-log-store.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { eventually } from '../../helpers/eventually.js';

/** A running test daemon and what it was built from. */
export interface TestDaemon {
  dir: string;
  stateDir: string;
  engine: FakeEngine;
  logs: FakeLogStore;
  daemon: RunningDaemon;
  client: ApiClient;
  /** Closes the daemon (keeps the folder), e.g. to start another on the same state. */
  stop(): Promise<void>;
}

const folders: string[] = [];
const daemons: RunningDaemon[] = [];

/** A temp project folder (removed by cleanupTestDaemons). */
export const tempProject = async (prefix = 'sbx-daemon-'): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
};

/** Starts a daemon for `dir/.sbx` (a new temp project unless given). */
export const startTestDaemon = async (
  options: { dir?: string; engine?: FakeEngine; manifestPath?: string | null; deps?: Partial<DaemonDeps>; urlHost?: string } = {},
): Promise<TestDaemon> => {
  const dir = options.dir ?? (await tempProject());
  const stateDir = join(dir, '.sbx');
  const engine = options.engine ?? new FakeEngine();
  const logs = new FakeLogStore();
  const outcome = await startDaemon({ stateDir, manifestPath: options.manifestPath ?? null, logger: silentLogger, saveDelayMs: 5, ...(options.urlHost ? { urlHost: options.urlHost } : {}) }, async () => ({
    engine,
    loadManifest,
    resolveUnit: resolveUnitFromApi,
    logs,
    executor: hostExecutor,
    ...options.deps,
  }));
  if (!outcome.started) throw new Error(`a daemon (pid ${outcome.holder.pid}) already serves ${stateDir}`);
  const { daemon } = outcome;
  daemons.push(daemon);
  return { dir, stateDir, engine, logs, daemon, client: new ApiClient(daemon.socketPath), stop: () => daemon.close() };
};

/** Closes every test daemon and removes every temp folder. */
export const cleanupTestDaemons = async (): Promise<void> => {
  for (const daemon of daemons.splice(0)) await daemon.close();
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
};

/** A raw request over the socket, for answers the client would not produce (bad JSON, wrong types). */
export const rawRequest = async (
  socketPath: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' },
): Promise<{ status: number; body: any; text: string }> => {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = null;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
};

/** Polls until fn answers a value (not null/undefined/false); typed without the empty cases. */
export const waitFor = async <T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> =>
  (await eventually(fn, { timeoutMs })) as T;
