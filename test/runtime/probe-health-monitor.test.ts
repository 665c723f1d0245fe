// The health monitor with the real prober against real servers and the real clock, waiting only on its reports.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetProber } from '../../src/runtime/net-prober.js';
import { ProbeHealthMonitor } from '../../src/runtime/probe-health-monitor.js';
import type { HealthSchedule, HealthState } from '../../src/runtime/prober.js';
import { eventually } from '../helpers/eventually.js';
import { closedPort, startHttpServer, startSilentServer } from './probe-servers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Records a unit's reports and lets the test await the first one matching a predicate (an event, not a sleep). */
const recorder = () => {
  const states: HealthState[] = [];
  let waiter: { match: (s: HealthState) => boolean; resolve: (s: HealthState) => void } | null = null;
  return {
    states,
    onChange: (state: HealthState): void => {
      states.push(state);
      if (waiter?.match(state)) {
        waiter.resolve(state);
        waiter = null;
      }
    },
    /** Resolves with the next report (from now on) that matches; rejects after timeoutMs. */
    next: (match: (s: HealthState) => boolean, what: string, timeoutMs = 10_000): Promise<HealthState> =>
      new Promise<HealthState>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no report "${what}" within ${timeoutMs} ms; got ${JSON.stringify(states)}`)), timeoutMs);
        waiter = {
          match,
          resolve: (s) => {
            clearTimeout(deadline);
            resolve(s);
          },
        };
      }),
  };
};

const startMonitor = () => {
  const monitor = new ProbeHealthMonitor({ prober: new NetProber() });
  cleanups.push(() => monitor.stopAll());
  return monitor;
};

describe('ProbeHealthMonitor with real probes', () => {
  it('follows an HTTP server from failing to healthy and back to unhealthy', async () => {
    let status = 503;
    const server = await startHttpServer((_req, res) => {
      res.writeHead(status);
      res.end();
    });
    cleanups.push(() => server.close());
    const monitor = startMonitor();
    const rec = recorder();
    const schedule: HealthSchedule = { target: { kind: 'http', url: `http://127.0.0.1:${server.port}/health` }, interval_ms: 30, timeout_ms: 1000, delay_ms: 0 };
    const failing = rec.next((s) => s.consecutive_failures >= 2, 'two failures');
    monitor.watch('web', schedule, rec.onChange);
    expect(await failing).toMatchObject({ status: 'checking', healthy: false, last_error: 'HTTP 503' });

    const healthy = rec.next((s) => s.healthy, 'healthy');
    status = 200;
    expect(await healthy).toMatchObject({ status: 'healthy', consecutive_failures: 0, last_error: null });

    const unhealthy = rec.next((s) => s.status === 'unhealthy', 'unhealthy');
    status = 500;
    expect(await unhealthy).toMatchObject({ healthy: false, consecutive_failures: 3, last_error: 'HTTP 500' });
    // Between the first healthy report and the first unhealthy one, only healthy reports (failures 1 and 2 tolerated).
    const first = rec.states.findIndex((s) => s.healthy);
    const flipped = rec.states.findIndex((s) => s.status === 'unhealthy');
    expect(rec.states.slice(first, flipped).map((s) => [s.status, s.consecutive_failures])).toEqual([
      ...rec.states.slice(first, flipped - 2).map(() => ['healthy', 0]),
      ['healthy', 1],
      ['healthy', 2],
    ]);
    for (const s of rec.states) expect(typeof s.last_check).toBe('number');
  });

  it('sees a health_port open once the service listens', async () => {
    const port = await closedPort();
    const monitor = startMonitor();
    const rec = recorder();
    const refused = rec.next((s) => s.last_error === 'connection refused', 'refused');
    monitor.watch('db', { target: { kind: 'tcp', host: '127.0.0.1', port }, interval_ms: 30, timeout_ms: 1000, delay_ms: 0 }, rec.onChange);
    expect(await refused).toMatchObject({ status: 'checking', healthy: false });

    const healthy = rec.next((s) => s.healthy, 'healthy');
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect(await healthy).toMatchObject({ status: 'healthy', consecutive_failures: 0 });
  });

  it('against a server that never answers: each probe times out, never two in flight, nothing left open', async () => {
    const server = await startSilentServer();
    cleanups.push(() => server.close());
    const monitor = startMonitor();
    const rec = recorder();
    const fourth = rec.next((s) => s.consecutive_failures === 4, 'four timeouts');
    const stop = monitor.watch('web', { target: { kind: 'http', url: `http://127.0.0.1:${server.port}/` }, interval_ms: 100, timeout_ms: 150, delay_ms: 0 }, rec.onChange);
    expect(await fourth).toMatchObject({ status: 'checking', last_error: 'timed out after 150 ms' });
    stop();
    expect(server.accepted).toBeGreaterThanOrEqual(4);
    expect(server.maxOpen).toBe(1);
    await eventually(() => server.open === 0, { timeoutMs: 2000, message: 'every probe connection to close' });
  });

  it('stop abandons an in-flight probe and closes its socket at once', async () => {
    const server = await startSilentServer();
    cleanups.push(() => server.close());
    const monitor = startMonitor();
    const rec = recorder();
    const stop = monitor.watch('web', { target: { kind: 'http', url: `http://127.0.0.1:${server.port}/` }, interval_ms: 100, timeout_ms: 30_000, delay_ms: 0 }, rec.onChange);
    await eventually(() => server.open === 1, { timeoutMs: 2000, message: 'the probe to connect' });
    stop();
    await eventually(() => server.open === 0, { timeoutMs: 500, message: 'the abandoned probe to close its socket' });
    expect(rec.states).toEqual([]);
    expect(monitor.watching()).toEqual([]);
  });
});
