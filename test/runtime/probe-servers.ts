// Real servers on 127.0.0.1 for probe tests: they count the connections they hold, so tests can see leaks.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { eventually } from '../helpers/eventually.js';

/** A listening server that counts accepted connections and how many are open at once. */
export interface CountingServer {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now (server side). */
  readonly open: number;
  /** The most connections ever open at once. */
  readonly maxOpen: number;
  close(): Promise<void>;
}

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });

const counting = async (server: net.Server, sockets: Set<net.Socket>, stats: { accepted: number; maxOpen: number }): Promise<CountingServer> => {
  server.on('connection', (socket) => {
    stats.accepted += 1;
    sockets.add(socket);
    stats.maxOpen = Math.max(stats.maxOpen, sockets.size);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return {
    port,
    get accepted() {
      return stats.accepted;
    },
    get open() {
      return sockets.size;
    },
    get maxOpen() {
      return stats.maxOpen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

/** Accepts, reads whatever comes, and never writes a byte: the probe must time out. */
export const startSilentServer = (): Promise<CountingServer> => {
  const server = net.createServer((socket) => socket.resume());
  return counting(server, new Set(), { accepted: 0, maxOpen: 0 });
};

/** An HTTP server answering with `handler` (its connections are counted the same way). */
export const startHttpServer = (handler: http.RequestListener): Promise<CountingServer> => {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  return counting(server, new Set(), { accepted: 0, maxOpen: 0 });
};

/** A port nothing listens on (it was just free; tests use it at once). */
export const closedPort = async (): Promise<number> => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

/** Client sockets of this machine in SYN-SENT towards 127.0.0.1:port (from /proc/net/tcp). */
export const synSentTo = (port: number): number => {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2] === remote && fields[3] === '02').length;
};

/**
 * A port whose SYNs go unanswered, like a firewall DROP: a child process listens with backlog 1 and then blocks its
 * event loop, so nothing is ever accepted; the test fills the accept queue until a further connect sits in SYN-SENT.
 */
export const startBlackholePort = async (): Promise<{ port: number; close: () => Promise<void> }> => {
  const script = `
    const net = require('node:net'); const fs = require('node:fs');
    const s = net.createServer();
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      fs.writeSync(1, s.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', (code) => reject(new Error(`blackhole child exited early (${code})`)));
  });
  const fillers: net.Socket[] = [];
  // Fill the accept queue: add connections until one is stuck in SYN-SENT, then drop that one.
  await eventually(
    () => {
      if (synSentTo(port) > 0) return true;
      const filler = net.connect({ host: '127.0.0.1', port });
      filler.on('error', () => {});
      fillers.push(filler);
      return false;
    },
    { timeoutMs: 10_000, intervalMs: 50, message: 'the accept queue to fill' },
  );
  for (const filler of fillers.filter((f) => f.connecting)) filler.destroy();
  await eventually(() => synSentTo(port) === 0, { timeoutMs: 5000, message: 'stuck fillers to go' });
  return {
    port,
    close: async () => {
      for (const filler of fillers) filler.destroy();
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      child.kill('SIGKILL');
      await exited;
    },
  };
};
