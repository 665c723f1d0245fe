// The contract for ports: requested or next free, reserved per unit, free again after stop.

/** Why a port could not be had. */
export interface PortError {
  message: string;
}

/** Hands out loopback ports to units. */
export interface PortAllocator {
  /**
   * Reserves a port for `unit`: `requested` if free; otherwise (strict false) the next free one above it;
   * with `requested` null, any free port. Returns the port or an error (strict and taken).
   */
  allocate(unit: string, requested: number | null, strict: boolean): Promise<{ port: number } | { error: PortError }>;
  /** Forgets the unit's reservation. */
  release(unit: string): void;
  /** True when nothing listens on the port (on the configured host). */
  isFree(port: number): Promise<boolean>;
}
