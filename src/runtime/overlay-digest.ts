// The overlay's content digest: one sha256 over every entry laid down, in walk order, so unit fingerprints track it.

import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';

/** Bytes read per chunk when hashing or copying a file. */
export const CHUNK_BYTES = 1 << 20;

/** A read buffer sized for a file of `size` bytes (small files: one read, from Node's pool; big ones: a chunk). */
export const readBuffer = (size: number): Buffer => Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(4096, size + 1)));

/**
 * Accumulates records of the entries an overlay lays down, in walk order (depth first, names sorted):
 * `[kind, relative path, mode without setuid/setgid/sticky, payload]`, JSON-encoded one per line so no two
 * trees share an encoding. Payloads: files their sha256; links their text; shared (smart) directories a digest of
 * their top-level listing. Skipped entries (ignored or refused) are not part of the overlay, so not hashed.
 * The strategy is hashed first: switching copy <-> smart lays down a different tree.
 */
export class OverlayDigest {
  private readonly hash = createHash('sha256');

  constructor(strategy: string) {
    this.hash.update(`sbx-overlay-digest v1 ${strategy}\n`);
  }

  /** A directory (its children follow). */
  dir(rel: string, mode: number): void {
    this.record(['d', rel, mode, '']);
  }

  /** A regular file with its content hash. */
  file(rel: string, mode: number, sha: string): void {
    this.record(['f', rel, mode, sha]);
  }

  /** A symlink recreated from the source. */
  link(rel: string, text: string): void {
    this.record(['l', rel, 0, text]);
  }

  /** A directory shared by symlink under `smart`, with its listing digest. */
  shared(rel: string, listing: string): void {
    this.record(['s', rel, 0, listing]);
  }

  /** The hex digest (call once). */
  hex(): string {
    return this.hash.digest('hex');
  }

  private record(fields: [string, string, number, string]): void {
    this.hash.update(`${JSON.stringify(fields)}\n`);
  }
}

/**
 * The cheap digest of a shared (smart) directory: its top-level names, types, sizes and mtimes, not its content.
 * Hashing all of node_modules on every fingerprint would be slow; package managers that change it also change
 * this listing (npm rewrites node_modules/.package-lock.json; installs replace package dirs, changing their mtime).
 * Edits deep inside a package that touch neither are not seen; `copy` hashes full content.
 */
export const listingDigest = (entries: { name: string; stat: Stats }[]): string => {
  const hash = createHash('sha256');
  for (const { name, stat } of entries) {
    const type = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : stat.isFile() ? 'f' : 'o';
    hash.update(`${JSON.stringify([name, type, stat.size, stat.mtimeMs])}\n`);
  }
  return hash.digest('hex');
};

/** sha256 of an open file from its start, sync (small files only: it blocks the event loop while it reads). */
export const hashFileSync = (fd: number, size: number): string => {
  const hash = createHash('sha256');
  const buf = readBuffer(size);
  for (let pos = 0; ; ) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  return hash.digest('hex');
};

/** sha256 of an open file from its start, streamed (never the whole file in memory). */
export const hashFile = async (fh: FileHandle, size: number): Promise<string> => {
  const hash = createHash('sha256');
  const buf = readBuffer(size);
  for (let pos = 0; ; ) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return hash.digest('hex');
};

interface CachedHash {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  sha: string;
}

/**
 * Content hashes of source files keyed by (device, inode), valid while size, mtime and ctime are unchanged
 * (any write or chmod moves ctime), so re-digesting an unchanged tree reads no file bytes. Bounded: cleared when full.
 */
export class FileHashCache {
  private readonly entries = new Map<string, CachedHash>();

  constructor(private readonly maxEntries = 500_000) {}

  /** The cached hash of the file with this stat, or undefined. */
  get(stat: Stats): string | undefined {
    const hit = this.entries.get(`${stat.dev}:${stat.ino}`);
    return hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs && hit.ctimeMs === stat.ctimeMs ? hit.sha : undefined;
  }

  /** Remembers the hash of the file with this stat. */
  set(stat: Stats, sha: string): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(`${stat.dev}:${stat.ino}`, { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, sha });
  }
}

/** The content hash of a source file: from the cache when its stat is unchanged, else read via `open` (null: not a file now). */
export const cachedFileHash = async (
  cache: FileHashCache,
  stat: Stats,
  open: () => Promise<{ fh: FileHandle; stat: Stats } | null>,
): Promise<string | null> => {
  const cached = cache.get(stat);
  if (cached !== undefined) return cached;
  const opened = await open();
  if (!opened) return null;
  try {
    const sha = await hashFile(opened.fh, opened.stat.size);
    cache.set(opened.stat, sha);
    return sha;
  } finally {
    await opened.fh.close();
  }
};
