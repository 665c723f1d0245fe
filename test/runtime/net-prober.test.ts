// The real prober against real sockets on 127.0.0.1: answers, refusals, hard timeouts, and no socket left open.

import { afterEach, describe, expect, it } from 'vitest';
import { NetProber } from '../../src/runtime/net-prober.js';
import { eventually } from '../helpers/eventually.js';
import { closedPort, startBlackholePort, startHttpServer, startSilentServer, synSentTo, type CountingServer } from './probe-servers.js';

/** How late a timed-out probe may settle on a busy shared machine. */
const LATE_MS = 150;

const prober = new NetProber();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const track = <T extends { close: () => Promise<void> }>(server: T): T => {
  cleanups.push(() => server.close());
  return server;
};
const noOpenConnections = (server: CountingServer) =>
  eventually(() => server.open === 0, { timeoutMs: 2000, message: 'the server side to see every probe connection closed' });
const timed = async <T>(run: () => Promise<T>): Promise<{ value: T; elapsed: number }> => {
  const start = performance.now();
  const value = await run();
  return { value, elapsed: performance.now() - start };
};

describe('TCP probe', () => {
  it('succeeds on connect and closes the connection at once', async () => {
    const server = track(await startSilentServer());
    const result = await prober.probe({ kind: 'tcp', host: '127.0.0.1', port: server.port }, 1500);
    expect(result).toMatchObject({ ok: true });
    expect(server.accepted).toBe(1);
    await noOpenConnections(server);
  });

  it('reports a closed port as refused, quickly', async () => {
    const port = await closedPort();
    const { value, elapsed } = await timed(() => prober.probe({ kind: 'tcp', host: '127.0.0.1', port }, 5000));
    expect(value).toMatchObject({ ok: false, error: 'connection refused' });
    expect(elapsed).toBeLessThan(1000);
  });

  it('times out on time when SYNs go unanswered, and leaves no half-open socket', async () => {
    const hole = track(await startBlackholePort());
    const { value, elapsed } = await timed(() => prober.probe({ kind: 'tcp', host: '127.0.0.1', port: hole.port }, 400));
    expect(value).toMatchObject({ ok: false, error: 'timed out after 400 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(395);
    expect(elapsed).toBeLessThan(400 + LATE_MS);
    expect(synSentTo(hole.port)).toBe(0);
  });
});

describe('HTTP probe', () => {
  it.each([
    { status: 200, expected: { ok: true } },
    { status: 204, expected: { ok: true } },
    { status: 302, expected: { ok: true } },
    { status: 404, expected: { ok: false, error: 'HTTP 404' } },
    { status: 503, expected: { ok: false, error: 'HTTP 503' } },
  ])('HTTP $status -> $expected', async ({ status, expected }) => {
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {});
        res.end(status === 204 ? undefined : 'body');
      }),
    );
    const result = await prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/health` }, 1500);
    expect(result).toMatchObject(expected);
    await noOpenConnections(server);
  });

  it('requests the configured path', async () => {
    const paths: string[] = [];
    const server = track(
      await startHttpServer((req, res) => {
        paths.push(req.url ?? '');
        res.end('ok');
      }),
    );
    await prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/ready?deep=1` }, 1500);
    expect(paths).toEqual(['/ready?deep=1']);
  });

  it('times out on time against a server that accepts and never answers, and closes its socket', async () => {
    const server = track(await startSilentServer());
    const { value, elapsed } = await timed(() => prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/` }, 300));
    expect(value).toMatchObject({ ok: false, error: 'timed out after 300 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(300 + LATE_MS);
    expect(server.accepted).toBe(1);
    await noOpenConnections(server);
  });

  it('times out when the headers come but the body never ends', async () => {
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      }),
    );
    const { value, elapsed } = await timed(() => prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/` }, 300));
    expect(value).toMatchObject({ ok: false, error: 'timed out after 300 ms' });
    expect(elapsed).toBeLessThan(300 + LATE_MS);
    await noOpenConnections(server);
  });

  it('fails when the server hangs up in the middle of the body', async () => {
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('only some of it', () => res.socket?.destroy());
      }),
    );
    const result = await prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/` }, 1500);
    expect(result).toMatchObject({ ok: false, error: 'connection closed during the response' });
  });

  it('succeeds on a large body without reading all of it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(200);
        // Endless body: the probe must stop reading after its cap, not wait for the end.
        const pump = (): void => {
          while (res.write(chunk));
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      }),
    );
    const result = await prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/` }, 1500);
    expect(result).toMatchObject({ ok: true });
    await noOpenConnections(server);
  });

  it('reports a closed port as refused', async () => {
    const port = await closedPort();
    expect(await prober.probe({ kind: 'http', url: `http://127.0.0.1:${port}/` }, 1500)).toMatchObject({ ok: false, error: 'connection refused' });
  });

  it('names a bad URL instead of throwing', async () => {
    expect(await prober.probe({ kind: 'http', url: 'not a url' }, 1500)).toMatchObject({ ok: false, error: 'invalid health check URL "not a url"' });
    expect(await prober.probe({ kind: 'http', url: 'https://127.0.0.1:1/' }, 1500)).toMatchObject({
      ok: false,
      error: 'health check URL must start with http:// (got https://)',
    });
  });

  it('settles at once when aborted, closing the connection', async () => {
    const server = track(await startSilentServer());
    const controller = new AbortController();
    const pending = prober.probe({ kind: 'http', url: `http://127.0.0.1:${server.port}/` }, 10_000, controller.signal);
    await eventually(() => server.accepted === 1, { timeoutMs: 2000, message: 'the probe to connect' });
    const { value, elapsed } = await timed(async () => {
      controller.abort();
      return pending;
    });
    expect(value).toMatchObject({ ok: false, error: 'aborted' });
    expect(elapsed).toBeLessThan(100);
    await noOpenConnections(server);
  });
});
