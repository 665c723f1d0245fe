// Lays one source file down in a target directory, or confirms it unchanged: sync for small files, async for big ones.
//
// Why two paths: a small file costs about a dozen syscalls, and each async fs call is a thread-pool round trip
// (roughly 3x slower overall on a busy machine). Small files are therefore copied with sync calls, in slices
// short enough for the daemon's loop (the caller yields between slices); big files stream asynchronously.

import { createHash } from 'node:crypto';
import { closeSync, readSync, writeSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { SafeDir } from './safe-fs.js';
import { safeMode } from './overlay-rules.js';
import { faultPoint } from '../shared/fault.js';
import { cachedFileHash, hashFileSync, readBuffer, type FileHashCache } from './overlay-digest.js';
import { fileUnchanged, sourceStamp, targetStamp, type ManifestEntry } from './overlay-manifest.js';

/** Files up to this size take the sync path. */
export const SYNC_COPY_MAX_BYTES = 4 << 20;

/** One source file and where it goes. `current` is the target entry's lstat (never a directory: cleared first). */
export interface FileJob {
  source: SafeDir;
  name: string;
  /** lstat of the source entry from the walk. */
  stat: Stats;
  dest: SafeDir;
  current: Stats | null;
  recorded: ManifestEntry | undefined;
  hashes: FileHashCache;
}

/** What happened: unchanged or copied (with the digest inputs and the manifest record), or gone mid-walk. */
export type FileOutcome = { kind: 'unchanged' | 'copied'; mode: number; sha: string; record: ManifestEntry } | { kind: 'vanished' };

const copied = (src: Stats, written: Stats, sha: string): FileOutcome => ({
  kind: 'copied',
  mode: safeMode(src.mode),
  sha,
  record: { t: 'f', src: sourceStamp(src), dst: targetStamp(written) },
});

const metaOf = (st: Stats) => ({ mode: safeMode(st.mode), atime: st.atime, mtime: st.mtime });

/** The small-file path: every call sync. */
export const copyFileSync = (job: FileJob): FileOutcome => {
  const { recorded, hashes } = job;
  if (recorded && fileUnchanged(recorded, job.stat, job.current)) {
    let sha = hashes.get(job.stat);
    if (sha === undefined) {
      const opened = job.source.openFileSync(job.name);
      if (opened) {
        try {
          sha = hashFileSync(opened.fd, opened.stat.size);
          hashes.set(opened.stat, sha);
        } finally {
          closeQuietly(opened.fd);
        }
      }
    }
    if (sha !== undefined) return { kind: 'unchanged', mode: safeMode(job.stat.mode), sha, record: recorded };
  }
  const opened = job.source.openFileSync(job.name);
  if (!opened) return { kind: 'vanished' };
  let sha = '';
  let written: Stats;
  try {
    written = job.dest.writeFileAtomicSync(job.name, metaOf(opened.stat), (out) => {
      const hash = createHash('sha256');
      const buf = readBuffer(opened.stat.size);
      for (let pos = 0; ; ) {
        const n = readSync(opened.fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        for (let off = 0; off < n; ) off += writeSync(out, buf, off, n - off);
        pos += n;
      }
      sha = hash.digest('hex');
    });
  } finally {
    closeQuietly(opened.fd);
  }
  hashes.set(opened.stat, sha);
  faultPoint('mid-overlay');
  return copied(opened.stat, written, sha);
};

/** Copies `src` into `out` from the start, hashing what it reads. */
const copyAndHash = async (src: FileHandle, size: number, out: FileHandle): Promise<string> => {
  const hash = createHash('sha256');
  const buf = readBuffer(size);
  for (let pos = 0; ; ) {
    const { bytesRead } = await src.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    hash.update(chunk);
    for (let off = 0; off < chunk.length; ) off += (await out.write(chunk, off, chunk.length - off)).bytesWritten;
    pos += bytesRead;
  }
  return hash.digest('hex');
};

/** The big-file path: streams, never blocking the loop for long. */
export const copyFileAsync = async (job: FileJob): Promise<FileOutcome> => {
  const { recorded, hashes } = job;
  if (recorded && fileUnchanged(recorded, job.stat, job.current)) {
    const sha = await cachedFileHash(hashes, job.stat, () => job.source.openFile(job.name));
    if (sha !== null) return { kind: 'unchanged', mode: safeMode(job.stat.mode), sha, record: recorded };
  }
  const opened = await job.source.openFile(job.name);
  if (!opened) return { kind: 'vanished' };
  let sha = '';
  let written: Stats;
  try {
    written = await job.dest.writeFileAtomic(job.name, metaOf(opened.stat), async (out) => {
      sha = await copyAndHash(opened.fh, opened.stat.size, out);
    });
  } finally {
    await opened.fh.close();
  }
  hashes.set(opened.stat, sha);
  faultPoint('mid-overlay');
  return copied(opened.stat, written, sha);
};

const closeQuietly = (fd: number): void => {
  try {
    closeSync(fd);
  } catch {
    // nothing left to release
  }
};
