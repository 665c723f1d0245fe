// Ports on the real loopback: strict fails on a taken port, non-strict moves up, reservations never collide.

import { createConnection, createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxProcessRunner } from '../../src/runtime/linux-process-runner.js';
import { LoopbackPortAllocator } from '../../src/runtime/loopback-port-allocator.js';
import { killCensus, newCensusValue } from './census.js';
import { RunnerHarness, fixture } from './runner-harness.js';

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve(server));
  });
const portOf = (server: Server): number => (server.address() as { port: number }).port;
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
const portFrom = (result: { port: number } | { error: { message: string } }): number => {
  if (!('port' in result)) throw new Error(`expected a port, got: ${result.error.message}`);
  return result.port;
};

/** Reads the greeting the listen-port fixture sends. */
const greeting = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = '';
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });

describe('LoopbackPortAllocator', () => {
  const servers: Server[] = [];
  let allocator: LoopbackPortAllocator;

  beforeEach(() => {
    allocator = new LoopbackPortAllocator();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  it('fails clearly with strict_port on a taken port, and takes the next free one above it otherwise', async () => {
    const taken = await listen(0);
    servers.push(taken);
    const port = portOf(taken);

    expect(await allocator.isFree(port)).toBe(false);
    expect(await allocator.allocate('web', port, true)).toEqual({ error: { message: `port ${port} is already in use (strict_port: true)` } });
    expect(allocator.portOf('web')).toBeNull();

    const next = portFrom(await allocator.allocate('web', port, false));
    expect(next).toBeGreaterThan(port);
    expect(await allocator.isFree(next)).toBe(true);
    expect(allocator.portOf('web')).toBe(next);
  });

  it('gives the requested port when free, and any free port when none is requested', async () => {
    const probe = await listen(0);
    const free = portOf(probe);
    await close(probe);
    expect(await allocator.allocate('a', free, true)).toEqual({ port: free });
    const any = portFrom(await allocator.allocate('b', null, false));
    expect(any).toBeGreaterThan(0);
    expect(any).not.toBe(free);
  });

  it('never hands the same port to two units, even when they ask at the same time', async () => {
    const probe = await listen(0);
    const wanted = portOf(probe);
    await close(probe);
    const loose = await Promise.all(['a', 'b', 'c'].map((unit) => allocator.allocate(unit, wanted, false)));
    expect(new Set(loose.map(portFrom)).size).toBe(3);
    expect(loose.map(portFrom)).toContain(wanted);

    const strict = await allocator.allocate('d', wanted, true);
    expect(strict).toEqual({ error: { message: `port ${wanted} is already in use by unit a (strict_port: true)` } });

    const anyPorts = await Promise.all(['e', 'f', 'g', 'h'].map((unit) => allocator.allocate(unit, null, false)));
    expect(new Set(anyPorts.map(portFrom)).size).toBe(4);
  });

  it('rejects a port outside 1-65535', async () => {
    expect(await allocator.allocate('x', 70_000, false)).toEqual({ error: { message: 'port 70000 is not a valid TCP port (expected 1-65535)' } });
  });

  describe('with a real unit listening on the assigned port', () => {
    let census: string;
    let harness: RunnerHarness;

    beforeEach(() => {
      census = newCensusValue();
      harness = new RunnerHarness(census);
    });

    afterEach(() => {
      const leftovers = killCensus(census);
      harness.dispose();
      expect(leftovers, 'processes left behind by the test').toBe(0);
    });

    it('injects the next free port as PORT; once the unit is stopped and released the port is free again', async () => {
      const taken = await listen(0);
      servers.push(taken);
      const port = portFrom(await allocator.allocate('api', portOf(taken), false));
      const runner = new LinuxProcessRunner();
      const request = harness.request('api', [process.execPath, fixture('listen-port.mjs')]);
      const run = await harness.start(runner, { ...request, env: { ...request.env, PORT: String(port) } });
      await harness.ready('api');
      expect(await greeting(port)).toBe(`port ${port}\n`);
      expect(await allocator.isFree(port)).toBe(false);

      await runner.stop(run.identity, 5000);
      allocator.release('api');
      expect(await allocator.isFree(port)).toBe(true);
      expect(await allocator.allocate('other', port, true)).toEqual({ port });
    });
  });
});
