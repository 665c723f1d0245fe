// The real overlay copier: lays a source tree down at a target on the local filesystem, safely (spec §3).
//
// Strategies: `copy` copies everything (an isolated copy: target edits never reach the source). `smart` replaces
// each directory named in `immutable` (plus node_modules and .venv), at any depth, by an absolute symlink to the
// source directory, and copies the rest; writes through those links reach the template. `ignore` globs (see
// compileGlobs) win over both. Source symlinks are recreated only when they resolve inside the source (absolute
// links never); FIFOs, sockets and devices are skipped with a reason; setuid/setgid/sticky bits are dropped.
// Stats count the work done by this sync: files written (a recreated source link counts as a file), directories
// created, smart links created, and entries skipped (ignored or refused). Syncs of one target run one at a time.

import path from 'node:path';
import type { OverlaySpec } from '../manifest/types.js';
import type { OverlayCopier, OverlayResult, OverlayStats } from './overlay-copier.js';
import { overlayRules, safeMode } from './overlay-rules.js';
import { FileHashCache, OverlayDigest, cachedFileHash } from './overlay-digest.js';
import { loopSlicer, walkSource } from './overlay-walk.js';
import { OverlaySync } from './overlay-sync.js';
import { placeOverlay, type PlacedOverlay } from './overlay-placement.js';
import { SafeDir, errnoCode } from './safe-fs.js';

/** Tuning for the real copier. */
export interface FsOverlayCopierOptions {
  /** Entries processed between onProgress calls (default 500); also called at the start and the end. */
  progressEvery?: number;
  /**
   * Where /proc/self/fd is missing (not Linux), write through directory paths instead: final components are
   * still never followed, but a concurrent swap of a parent directory can redirect writes. Off by default: the
   * sync then fails with a clear error. Digests (read only) always work.
   */
  allowPathFallback?: boolean;
}

/** Prefix of the digest returned when the source cannot be read; it differs from every content digest. */
export const UNAVAILABLE_DIGEST_PREFIX = 'unavailable:';

const failureText = (name: string, error: unknown): string => {
  const detail = error instanceof Error ? error.message : String(error);
  return `overlay ${name}: ${detail}`;
};

/** Copies overlays on the local filesystem; never writes outside the target. */
export class FsOverlayCopier implements OverlayCopier {
  private readonly hashes = new FileHashCache();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly progressEvery: number;
  private readonly allowPathFallback: boolean;

  constructor(options: FsOverlayCopierOptions = {}) {
    this.progressEvery = Math.max(1, options.progressEvery ?? 500);
    this.allowPathFallback = options.allowPathFallback ?? false;
  }

  /**
   * sha256 (hex) of what a sync would lay down: paths, types, modes (privilege bits dropped), file bytes, link
   * texts, under the ignore rules; smart-shared directories count by their top-level listing (see listingDigest).
   * Never throws for an unreadable source: returns `unavailable:<reason>` (sync then reports the failure).
   */
  async digest(spec: OverlaySpec): Promise<string> {
    if (!path.isAbsolute(spec.source)) return `${UNAVAILABLE_DIGEST_PREFIX}source is not an absolute path`;
    let source: SafeDir | undefined;
    try {
      source = await SafeDir.open(spec.source, { followFinal: true, requireProcFd: false });
      const digest = new OverlayDigest(spec.strategy);
      const slice = loopSlicer();
      for await (const e of walkSource(source, overlayRules(spec))) {
        await slice();
        if (e.kind === 'dir') digest.dir(e.rel, safeMode(e.mode));
        else if (e.kind === 'link') digest.link(e.rel, e.text);
        else if (e.kind === 'shared') digest.shared(e.rel, e.listing);
        else if (e.kind === 'file') {
          const sha = await cachedFileHash(this.hashes, e.stat, () => e.parent.openFile(e.name));
          if (sha !== null) digest.file(e.rel, safeMode(e.stat.mode), sha);
        }
      }
      return digest.hex();
    } catch (error) {
      return `${UNAVAILABLE_DIGEST_PREFIX}${errnoCode(error) ?? (error instanceof Error ? error.message : String(error))}`;
    } finally {
      await source?.close();
    }
  }

  /** Brings the target in line with the source; never throws: failures are `status: 'failed'` with `error`. */
  sync(spec: OverlaySpec, onProgress?: (stats: OverlayStats) => void): Promise<OverlayResult> {
    const key = path.resolve(spec.target);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(() => this.syncNow(spec, onProgress));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

  private async syncNow(spec: OverlaySpec, onProgress?: (stats: OverlayStats) => void): Promise<OverlayResult> {
    let placed: PlacedOverlay | undefined;
    let run: OverlaySync | undefined;
    try {
      placed = await placeOverlay(spec, this.allowPathFallback);
      run = new OverlaySync(placed, {
        strategy: spec.strategy,
        rules: overlayRules(spec),
        hashes: this.hashes,
        onProgress,
        progressEvery: this.progressEvery,
      });
      const digest = await run.run();
      return { status: 'complete', stats: { ...run.stats }, digest, error: null, refused: [...run.refused] };
    } catch (error) {
      const stats = run ? { ...run.stats } : { copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 };
      return { status: 'failed', stats, digest: '', error: failureText(spec.name, error), refused: run ? [...run.refused] : [] };
    } finally {
      await placed?.source.close().catch(() => undefined);
      await placed?.target.close().catch(() => undefined);
    }
  }
}
