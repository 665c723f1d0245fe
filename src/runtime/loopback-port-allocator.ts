// The real port allocator: a port is free when listen() on host:port succeeds and no other unit holds it.

import { createServer } from 'node:net';
import type { PortAllocator, PortError } from './port-allocator.js';

const MAX_PORT = 65_535;
/** Attempts at an OS-chosen port before giving up (only collisions with other units' reservations retry). */
const ANY_PORT_ATTEMPTS = 20;

/** Tries listen() on host:port (0 = let the OS choose) and closes at once; the bound port, or null when taken. */
export const probeListen = (host: string, port: number): Promise<number | null> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(bound));
    });
  });

/**
 * Hands out loopback ports. A reservation is taken synchronously before the listen() check, so two concurrent
 * allocations never get the same port. Allocating again for a unit replaces its earlier reservation.
 */
export class LoopbackPortAllocator implements PortAllocator {
  readonly #host: string;
  /** port → unit holding it. */
  readonly #holders = new Map<number, string>();
  /** unit → its port. */
  readonly #ports = new Map<string, number>();

  constructor(options: { host?: string } = {}) {
    this.#host = options.host ?? '127.0.0.1';
  }

  async allocate(unit: string, requested: number | null, strict: boolean): Promise<{ port: number } | { error: PortError }> {
    this.release(unit);
    if (requested === null) return this.#allocateAny(unit);
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_PORT) {
      return { error: { message: `port ${requested} is not a valid TCP port (expected 1-${MAX_PORT})` } };
    }
    for (let port = requested; port <= MAX_PORT; port++) {
      const holder = this.#holders.get(port);
      if (holder === undefined) {
        this.#reserve(unit, port);
        if ((await probeListen(this.#host, port)) !== null) return { port };
        this.#unreserve(unit, port);
      }
      if (strict) {
        const by = holder === undefined ? '' : ` by unit ${holder}`;
        return { error: { message: `port ${port} is already in use${by} (strict_port: true)` } };
      }
    }
    return { error: { message: `no free port on ${this.#host} from ${requested} to ${MAX_PORT}` } };
  }

  release(unit: string): void {
    const port = this.#ports.get(unit);
    if (port !== undefined) this.#unreserve(unit, port);
  }

  async isFree(port: number): Promise<boolean> {
    return (await probeListen(this.#host, port)) !== null;
  }

  /** The port a unit currently holds, if any. */
  portOf(unit: string): number | null {
    return this.#ports.get(unit) ?? null;
  }

  async #allocateAny(unit: string): Promise<{ port: number } | { error: PortError }> {
    for (let attempt = 0; attempt < ANY_PORT_ATTEMPTS; attempt++) {
      const port = await probeListen(this.#host, 0);
      if (port === null) break;
      if (this.#holders.has(port)) continue;
      this.#reserve(unit, port);
      return { port };
    }
    return { error: { message: `no free port on ${this.#host}` } };
  }

  #reserve(unit: string, port: number): void {
    this.#holders.set(port, unit);
    this.#ports.set(unit, port);
  }

  #unreserve(unit: string, port: number): void {
    if (this.#holders.get(port) === unit) this.#holders.delete(port);
    if (this.#ports.get(unit) === port) this.#ports.delete(unit);
  }
}
