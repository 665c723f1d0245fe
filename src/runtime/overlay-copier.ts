// The contract for overlays: lay a source tree down at a target, safely, and say how it went.

import type { OverlaySpec } from '../manifest/types.js';

export type CopyStatus = 'pending' | 'in_progress' | 'complete' | 'failed';

/** Counts reported with the status (seed names). */
export interface OverlayStats {
  copied_files: number;
  copied_dirs: number;
  symlinked: number;
  skipped: number;
}

/** A source entry refused for safety (a link out of the tree, a FIFO, a device...), with the reason. */
export interface OverlayRefusal {
  /** Relative to the source. */
  path: string;
  reason: string;
}

/** Outcome of one sync. */
export interface OverlayResult {
  status: CopyStatus;
  stats: OverlayStats;
  /** sha256 of the source content as copied (feeds the fingerprints of units that need the overlay). */
  digest: string;
  error: string | null;
  /** Entries refused for safety (counted in `skipped`; ignore-glob matches are not listed). Capped at 1000. */
  refused?: OverlayRefusal[];
}

/** Copies overlays; never writes outside the target. */
export interface OverlayCopier {
  /** Digest of the source tree's content (names, modes, bytes) under the overlay's ignore rules. */
  digest(spec: OverlaySpec): Promise<string>;
  /** Brings the target in line with the source, copying only what changed since the last sync. */
  sync(spec: OverlaySpec, onProgress?: (stats: OverlayStats) => void): Promise<OverlayResult>;
}
