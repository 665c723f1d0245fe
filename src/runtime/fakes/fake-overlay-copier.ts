// An in-memory OverlayCopier for the engine's unit tests: no files; the test sets each overlay's digest and outcome.

import { createHash } from 'node:crypto';
import type { OverlaySpec } from '../../manifest/types.js';
import type { CopyStatus, OverlayCopier, OverlayResult, OverlayStats } from '../overlay-copier.js';

/** How a sync of one overlay ends (stats default to one file copied; error defaults for `failed`). */
export interface FakeOverlayOutcome {
  status: 'complete' | 'failed';
  stats?: Partial<OverlayStats>;
  error?: string;
}

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

/**
 * Records calls and lets the test steer each overlay by name:
 *   copier.setDigest('web', 'v2');                          // digest() and a complete sync return 'v2'
 *   copier.setOutcome('web', { status: 'failed', error: 'boom' });
 *   copier.hold('web');  ...  copier.status('web') === 'in_progress';  copier.release('web');
 * Default digest: sha256 of the overlay's name, source and strategy (stable, differs per overlay).
 * status() is `pending` until a sync starts, `in_progress` while one runs, then the outcome's status.
 */
export class FakeOverlayCopier implements OverlayCopier {
  /** Overlay names passed to sync(), oldest first. */
  readonly syncCalls: string[] = [];
  /** Overlay names passed to digest(), oldest first. */
  readonly digestCalls: string[] = [];
  readonly #digests = new Map<string, string>();
  readonly #outcomes = new Map<string, FakeOverlayOutcome>();
  readonly #statuses = new Map<string, CopyStatus>();
  readonly #gates = new Map<string, Gate>();

  /** Sets the digest reported for an overlay. */
  setDigest(name: string, digest: string): void {
    this.#digests.set(name, digest);
  }

  /** Sets how the next syncs of an overlay end (default: complete). */
  setOutcome(name: string, outcome: FakeOverlayOutcome): void {
    this.#outcomes.set(name, outcome);
  }

  /** Makes syncs of an overlay wait (in_progress) until release(name). */
  hold(name: string): void {
    if (this.#gates.has(name)) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.#gates.set(name, { promise, open });
  }

  /** Lets held syncs of an overlay finish. */
  release(name: string): void {
    this.#gates.get(name)?.open();
    this.#gates.delete(name);
  }

  /** The overlay's copy status as the engine would observe it. */
  status(name: string): CopyStatus {
    return this.#statuses.get(name) ?? 'pending';
  }

  async digest(spec: OverlaySpec): Promise<string> {
    this.digestCalls.push(spec.name);
    return this.#digestOf(spec);
  }

  async sync(spec: OverlaySpec, onProgress?: (stats: OverlayStats) => void): Promise<OverlayResult> {
    this.syncCalls.push(spec.name);
    this.#statuses.set(spec.name, 'in_progress');
    onProgress?.({ copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 });
    await this.#gates.get(spec.name)?.promise;
    const outcome = this.#outcomes.get(spec.name) ?? { status: 'complete' };
    const stats: OverlayStats = { copied_files: 1, copied_dirs: 0, symlinked: 0, skipped: 0, ...outcome.stats };
    onProgress?.({ ...stats });
    this.#statuses.set(spec.name, outcome.status);
    if (outcome.status === 'failed') {
      return { status: 'failed', stats, digest: '', error: outcome.error ?? `overlay ${spec.name}: failed (fake)`, refused: [] };
    }
    return { status: 'complete', stats, digest: this.#digestOf(spec), error: null, refused: [] };
  }

  #digestOf(spec: OverlaySpec): string {
    return this.#digests.get(spec.name) ?? createHash('sha256').update(`${spec.name}\0${spec.source}\0${spec.strategy}`).digest('hex');
  }
}
