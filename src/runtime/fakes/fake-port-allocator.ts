// An in-memory PortAllocator for the engine's unit tests: no sockets; the test says which ports are taken.

import type { PortAllocator, PortError } from '../port-allocator.js';

/**
 * Same rules as the real allocator, on a pretend loopback:
 *   ports.occupy(3000);              // something outside sbx listens on 3000
 *   ports.vacate(3000);
 *   await ports.allocate('web', 3000, true)   // → { error: { message: 'port 3000 is already in use (strict_port: true)' } }
 *   await ports.allocate('web', 3000, false)  // → { port: 3001 } (next port neither occupied nor held by a unit)
 *   await ports.allocate('web', null, false)  // → the lowest free port from `anyFrom` (default 40000)
 *   ports.portOf('web'); ports.allocations    // current holding; every allocate() call with its result
 * Allocating again for a unit replaces its earlier reservation; release(unit) frees it. isFree(port) is true when
 * the port is not occupied (reservations alone do not make a port busy, as with the real listen() check).
 */
export class FakePortAllocator implements PortAllocator {
  /** Every allocate() call with its result, oldest first. */
  readonly allocations: { unit: string; requested: number | null; strict: boolean; result: { port: number } | { error: PortError } }[] = [];
  /** Every release() call, oldest first. */
  readonly releases: string[] = [];
  readonly #occupied = new Set<number>();
  readonly #held = new Map<string, number>();
  readonly #anyFrom: number;

  constructor(options: { occupied?: number[]; anyFrom?: number } = {}) {
    for (const port of options.occupied ?? []) this.#occupied.add(port);
    this.#anyFrom = options.anyFrom ?? 40_000;
  }

  /** Marks a port as listened on by something outside sbx. */
  occupy(port: number): void {
    this.#occupied.add(port);
  }

  /** Frees a port occupied with occupy(). */
  vacate(port: number): void {
    this.#occupied.delete(port);
  }

  /** The port a unit holds, or null. */
  portOf(unit: string): number | null {
    return this.#held.get(unit) ?? null;
  }

  async allocate(unit: string, requested: number | null, strict: boolean): Promise<{ port: number } | { error: PortError }> {
    this.#held.delete(unit);
    const result = this.#pick(requested, strict);
    if ('port' in result) this.#held.set(unit, result.port);
    this.allocations.push({ unit, requested, strict, result });
    return result;
  }

  release(unit: string): void {
    this.releases.push(unit);
    this.#held.delete(unit);
  }

  async isFree(port: number): Promise<boolean> {
    return !this.#occupied.has(port);
  }

  #pick(requested: number | null, strict: boolean): { port: number } | { error: PortError } {
    const holder = (port: number): string | undefined => [...this.#held].find(([, p]) => p === port)?.[0];
    const taken = (port: number): boolean => this.#occupied.has(port) || holder(port) !== undefined;
    if (requested === null) {
      for (let port = this.#anyFrom; port <= 65_535; port++) if (!taken(port)) return { port };
      return { error: { message: 'no free port on 127.0.0.1' } };
    }
    if (!Number.isInteger(requested) || requested < 1 || requested > 65_535) {
      return { error: { message: `port ${requested} is not a valid TCP port (expected 1-65535)` } };
    }
    if (strict && taken(requested)) {
      const by = holder(requested);
      return { error: { message: `port ${requested} is already in use${by ? ` by unit ${by}` : ''} (strict_port: true)` } };
    }
    for (let port = requested; port <= 65_535; port++) if (!taken(port)) return { port };
    return { error: { message: `no free port on 127.0.0.1 from ${requested} to 65535` } };
  }
}
