// One sync of an overlay: applies each walked source entry to the target through directory handles, then prunes.
//
// Re-sync rules: a file is re-copied unless the manifest shows the source file unchanged (inode, size, mtime,
// ctime, mode) and the target still holds exactly what was written (inode, size, mtime, mode); links are
// compared by text. At every path the source defines, the target is brought in line with the source (a user
// edit there is overwritten). Paths the source no longer defines are removed only if the manifest says the
// overlay wrote them and they are still what it wrote (directories only when empty); user files stay.
// Safety: a symlink found where a directory must be is replaced only when the overlay created it (a recorded
// copied link or smart share); any other is refused and fails the sync. Files are written to a temp name and
// renamed; each created or entered directory is checked to really lie inside the target.

import path from 'node:path';
import type { OverlayRefusal, OverlayStats } from './overlay-copier.js';
import { SafeDir, errnoCode } from './safe-fs.js';
import { safeMode, type OverlayRules } from './overlay-rules.js';
import { loopSlicer, walkSource, type WalkEntry } from './overlay-walk.js';
import { OverlayDigest, type FileHashCache } from './overlay-digest.js';
import { SYNC_COPY_MAX_BYTES, copyFileAsync, copyFileSync, type FileJob } from './overlay-file-copy.js';
import { readManifest, targetUnchanged, writeManifest, type ManifestEntries } from './overlay-manifest.js';
import { OverlayError, isWithin, type PlacedOverlay } from './overlay-placement.js';

/** Refusals listed in a result beyond this are only counted. */
const MAX_REFUSALS = 1000;

/** Longest stretch of sync file work before the event loop gets a turn. */
const SLICE_MS = 10;

/** What one sync needs besides the opened ends. */
export interface SyncOptions {
  strategy: 'copy' | 'smart';
  rules: OverlayRules;
  hashes: FileHashCache;
  onProgress?: (stats: OverlayStats) => void;
  /** Entries processed between progress reports. */
  progressEvery: number;
}

/** A readable description of an fs error (Node's own message names the /proc path, which says nothing). */
const describe = (error: unknown): string => {
  if (error instanceof OverlayError) return error.message;
  const code = errnoCode(error);
  return code ? `${code}${typeof (error as { syscall?: unknown }).syscall === 'string' ? ` (${(error as { syscall: string }).syscall})` : ''}` : String(error);
};

/** One sync run; `stats` is live so a failed run still reports how far it got. */
export class OverlaySync {
  readonly stats: OverlayStats = { copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 };
  readonly refused: OverlayRefusal[] = [];
  private readonly digest: OverlayDigest;
  private readonly next: ManifestEntries = new Map();
  private prev: ManifestEntries = new Map();
  private readonly stack: SafeDir[];
  private processed = 0;

  constructor(
    private readonly placed: PlacedOverlay,
    private readonly options: SyncOptions,
  ) {
    this.digest = new OverlayDigest(options.strategy);
    this.stack = [placed.target];
  }

  /** Runs the sync; returns the digest of what was laid down. Throws OverlayError (or fs errors) on failure. */
  async run(): Promise<string> {
    this.prev = await readManifest(this.placed.target);
    this.report();
    const slice = loopSlicer(SLICE_MS);
    const meta = { source: this.placed.sourceReal, strategy: this.options.strategy };
    try {
      for await (const entry of walkSource(this.placed.source, this.options.rules)) {
        try {
          await this.apply(entry);
        } catch (error) {
          throw new OverlayError(`${entry.rel}: ${describe(error)}`);
        }
        if (++this.processed % this.options.progressEvery === 0) this.report();
        await slice();
      }
    } catch (error) {
      // keep owning what was written so far (and what was owned before), so a later sync can still prune it
      await writeManifest(this.placed.target, meta, new Map([...this.prev, ...this.next])).catch(() => undefined);
      throw error;
    } finally {
      while (this.stack.length > 1) await this.stack.pop()?.close();
    }
    await this.prune();
    await writeManifest(this.placed.target, meta, this.next);
    this.report();
    return this.digest.hex();
  }

  private report(): void {
    try {
      this.options.onProgress?.({ ...this.stats });
    } catch {
      // a progress listener's failure is not the overlay's
    }
  }

  private get top(): SafeDir {
    return this.stack[this.stack.length - 1] as SafeDir;
  }

  private async apply(e: WalkEntry): Promise<void> {
    switch (e.kind) {
      case 'dir': {
        this.stack.push(await this.enterDir(this.top, e.name, e.rel));
        this.next.set(e.rel, { t: 'd' });
        this.digest.dir(e.rel, safeMode(e.mode));
        return;
      }
      case 'leave': {
        const dir = this.stack.pop() as SafeDir;
        try {
          if (((await dir.stat()).mode & 0o7777) !== safeMode(e.mode)) await dir.chmod(safeMode(e.mode));
        } finally {
          await dir.close();
        }
        return;
      }
      case 'file':
        return this.file(e);
      case 'link':
      case 'shared': {
        const text = e.kind === 'link' ? e.text : path.join(this.placed.sourceReal, e.rel);
        const current = await this.top.lstat(e.name);
        const same = current?.isSymbolicLink() === true && (await this.top.readlink(e.name)) === text;
        if (!same) {
          if (current?.isDirectory()) await this.top.removeTree(e.name);
          await this.top.symlinkAtomic(e.name, text);
          if (e.kind === 'link') this.stats.copied_files++;
          else this.stats.symlinked++;
        }
        this.next.set(e.rel, { t: e.kind === 'link' ? 'l' : 's', x: text });
        if (e.kind === 'link') this.digest.link(e.rel, text);
        else this.digest.shared(e.rel, e.listing);
        return;
      }
      case 'skip':
        return this.skip(e.rel, e.reason);
    }
  }

  private skip(rel: string, reason: string | null): void {
    this.stats.skipped++;
    if (reason !== null && this.refused.length < MAX_REFUSALS) this.refused.push({ path: rel, reason });
  }

  /** Makes `name` a real directory inside the target and opens it. */
  private async enterDir(parent: SafeDir, name: string, rel: string): Promise<SafeDir> {
    const current = await parent.lstat(name);
    let created = false;
    if (current === null || !current.isDirectory()) {
      if (current?.isSymbolicLink()) {
        const recorded = this.prev.get(rel);
        if (recorded?.t !== 'l' && recorded?.t !== 's') {
          throw new OverlayError(`${parent.child(name)} is a symlink the overlay did not create; refusing to follow or replace it`);
        }
      }
      if (current !== null) await parent.removeTree(name);
      await parent.mkdir(name, 0o700);
      created = true;
    }
    let dir: SafeDir;
    try {
      dir = await parent.openDir(name);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOTDIR' || code === 'ELOOP') throw new OverlayError(`${parent.child(name)} changed to a symlink during the sync; refusing to follow it`);
      throw error;
    }
    try {
      const real = await dir.realPath();
      if (!isWithin(real, this.placed.targetReal) || real === this.placed.targetReal) {
        throw new OverlayError(`${parent.child(name)} resolves to ${real}, outside the target; refusing`);
      }
      // writable by us while filling; the source's mode is applied on leave
      const st = await dir.stat();
      if ((st.mode & 0o700) !== 0o700) await dir.chmod((st.mode & 0o777) | 0o700);
    } catch (error) {
      await dir.close();
      throw error;
    }
    if (created) this.stats.copied_dirs++;
    return dir;
  }

  private async file(e: Extract<WalkEntry, { kind: 'file' }>): Promise<void> {
    const dest = this.top;
    let current = dest.lstatSync(e.name);
    if (current?.isDirectory()) {
      await dest.removeTree(e.name);
      current = null;
    }
    const job: FileJob = { source: e.parent, name: e.name, stat: e.stat, dest, current, recorded: this.prev.get(e.rel), hashes: this.options.hashes };
    const outcome = e.stat.size <= SYNC_COPY_MAX_BYTES ? copyFileSync(job) : await copyFileAsync(job);
    if (outcome.kind === 'vanished') return this.skip(e.rel, 'changed during the walk');
    this.next.set(e.rel, outcome.record);
    this.digest.file(e.rel, outcome.mode, outcome.sha);
    if (outcome.kind === 'copied') this.stats.copied_files++;
  }

  /** Removes what the overlay wrote earlier at paths the source no longer defines, deepest first. */
  private async prune(): Promise<void> {
    const gone = [...this.prev.keys()].filter((rel) => !this.next.has(rel));
    gone.sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
    for (const rel of gone) {
      const parts = rel.split('/');
      const name = parts.pop() as string;
      const dir = await this.openPath(parts);
      if (!dir) continue;
      try {
        const st = await dir.lstat(name);
        const entry = this.prev.get(rel);
        if (st === null || entry === undefined) continue;
        if (entry.t === 'd' && st.isDirectory()) {
          await dir.rmdir(name).catch((error: unknown) => {
            if (!['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(errnoCode(error) ?? '')) throw error;
          });
        } else if (entry.t === 'f' && targetUnchanged(entry, st)) {
          await dir.unlink(name);
        } else if ((entry.t === 'l' || entry.t === 's') && st.isSymbolicLink()) {
          await dir.unlink(name);
        }
      } catch (error) {
        throw new OverlayError(`${rel}: removing it failed: ${describe(error)}`);
      } finally {
        if (dir !== this.placed.target) await dir.close();
      }
    }
  }

  /** Opens target-relative directory `parts` through real directories only, or null if any part is not one. */
  private async openPath(parts: string[]): Promise<SafeDir | null> {
    let dir = this.placed.target;
    for (const part of parts) {
      const next = await dir.openDir(part).catch(() => null);
      if (dir !== this.placed.target) await dir.close();
      if (next === null) return null;
      dir = next;
    }
    return dir;
  }
}
