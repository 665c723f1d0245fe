// Small waits and probes the seed-sample tests share: a server becoming ready, an HTTP GET, recorded engine events.

import type { EngineEvent, Sandbox, Server } from '../../src/index.js';
import { eventually } from '../helpers/eventually.js';
import { fetchText } from './seed-env.js';

/** Waits until the server is ready (health passed) and returns a snapshot of it. */
export const ready = async (on: Sandbox, slug: string, timeoutMs = 30_000): Promise<Server> =>
  (await eventually(async () => {
    const s = await on.server.retrieve(slug);
    return s.status === 'ready' ? { ...s } : null;
  }, { timeoutMs, message: `${slug} ready` })) as Server;

/** Waits until `test` holds for the server and returns a snapshot of it. */
export const serverWhen = async (on: Sandbox, slug: string, test: (s: Server) => boolean, timeoutMs = 30_000): Promise<Server> =>
  (await eventually(async () => {
    const s = await on.server.retrieve(slug);
    return test(s) ? { ...s } : null;
  }, { timeoutMs, message: `${slug}: condition` })) as Server;

/**
 * The server's answer to GET path, once it accepts connections: without a health check a server is `ready` as soon
 * as it runs (spec §1), which can be a moment before it listens.
 */
export const get = async (server: Server, path = '/'): Promise<{ status: number; body: string }> =>
  (await eventually(() => fetchText(`${server.url}${path}`), { message: `GET ${server.url}${path}` })) as { status: number; body: string };

/** Records the engine's events from now on; `stop()` ends the recording. */
export const recordEvents = async (on: Sandbox): Promise<{ events: EngineEvent[]; stop: () => void }> => {
  const stream = on.events();
  await stream.ready;
  const events: EngineEvent[] = [];
  void (async () => {
    for await (const event of stream) events.push(event);
  })();
  return { events, stop: () => stream.close() };
};

/** The phases a unit went through, in order. */
export const phasesOf = (events: EngineEvent[], unit: string): string[] =>
  events.flatMap((e) => (e.type === 'unit-phase' && e.unit === unit ? [e.phase] : []));
