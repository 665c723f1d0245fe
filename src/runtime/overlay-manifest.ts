// The overlay's record of what it wrote into the target (`<target>/.sbx-overlay.json`): it decides what re-sync may skip and delete.
//
// Why a manifest and not "compare against the source": a re-sync must delete what vanished from the source, but
// the target also holds the units' own files (build output, installs). Only entries this overlay wrote, and that
// are still what it wrote, are ever deleted; everything else in the target is left alone.

import type { Stats } from 'node:fs';
import type { SafeDir } from './safe-fs.js';
import { MANIFEST_NAME, isSafeRelPath } from './overlay-rules.js';

/** Source file identity when copied: inode, size, mtime, ctime, mode. */
export type SourceStamp = [ino: number, size: number, mtimeMs: number, ctimeMs: number, mode: number];
/** Target file identity as written: inode, size, mtime, mode. */
export type TargetStamp = [ino: number, size: number, mtimeMs: number, mode: number];

/** What the overlay wrote at one path: directory, file, symlink copied from the source, or smart share link. */
export type ManifestEntry =
  | { t: 'd' }
  | { t: 'f'; src: SourceStamp; dst: TargetStamp }
  | { t: 'l'; x: string }
  | { t: 's'; x: string };

/** Entries by relative path. */
export type ManifestEntries = Map<string, ManifestEntry>;

/** Manifests larger than this are ignored (treated as absent: everything is re-copied, nothing deleted). */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/** Stamp of a source file as opened. */
export const sourceStamp = (st: Stats): SourceStamp => [st.ino, st.size, st.mtimeMs, st.ctimeMs, st.mode & 0o7777];

/** Stamp of a target file as written. */
export const targetStamp = (st: Stats): TargetStamp => [st.ino, st.size, st.mtimeMs, st.mode & 0o7777];

const sameStamp = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** True when the target file is still exactly what the overlay wrote (inode numbers get reused, so all of the stamp). */
export const targetUnchanged = (entry: ManifestEntry | undefined, target: Stats | null): boolean =>
  entry?.t === 'f' && target !== null && target.isFile() && sameStamp(entry.dst, targetStamp(target));

/** True when the source file is still the one copied and the target still holds what was written. */
export const fileUnchanged = (entry: ManifestEntry | undefined, source: Stats, target: Stats | null): boolean =>
  entry?.t === 'f' && sameStamp(entry.src, sourceStamp(source)) && targetUnchanged(entry, target);

const isStamp = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number');

const parseEntry = (v: unknown): ManifestEntry | null => {
  if (typeof v !== 'object' || v === null) return null;
  const e = v as Record<string, unknown>;
  if (e.t === 'd') return { t: 'd' };
  if ((e.t === 'l' || e.t === 's') && typeof e.x === 'string') return { t: e.t, x: e.x };
  if (e.t === 'f' && isStamp(e.src, 5) && isStamp(e.dst, 4)) return { t: 'f', src: e.src as SourceStamp, dst: e.dst as TargetStamp };
  return null;
};

/**
 * Parses a manifest's text. The target is writable by the units, so nothing is trusted: a malformed file is
 * treated as absent, and entries with unsafe paths (`..`, absolute, empty parts) or bad shapes are dropped.
 */
export const parseManifest = (text: string): ManifestEntries => {
  const out: ManifestEntries = new Map();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) return out;
  const entries = (doc as { entries?: unknown }).entries;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return out;
  for (const [rel, raw] of Object.entries(entries)) {
    const entry = parseEntry(raw);
    if (entry && isSafeRelPath(rel)) out.set(rel, entry);
  }
  return out;
};

/** The manifest's text. */
export const serializeManifest = (meta: { source: string; strategy: string }, entries: ManifestEntries): string =>
  `${JSON.stringify({ version: 1, source: meta.source, strategy: meta.strategy, entries: Object.fromEntries(entries) })}\n`;

/** Reads the manifest at the target root (never through a link); absent or unreadable means empty. */
export const readManifest = async (target: SafeDir): Promise<ManifestEntries> => {
  const opened = await target.openFile(MANIFEST_NAME);
  if (!opened) return new Map();
  try {
    if (opened.stat.size > MAX_MANIFEST_BYTES) return new Map();
    return parseManifest(await opened.fh.readFile('utf8'));
  } finally {
    await opened.fh.close();
  }
};

/** Writes the manifest atomically at the target root. */
export const writeManifest = async (target: SafeDir, meta: { source: string; strategy: string }, entries: ManifestEntries): Promise<void> => {
  const body = serializeManifest(meta, entries);
  const now = new Date();
  await target.writeFileAtomic(MANIFEST_NAME, { mode: 0o644, atime: now, mtime: now }, async (fh) => {
    await fh.writeFile(body, 'utf8');
  });
};
