// Walks an overlay's source tree through directory handles and says what to do with each entry, in digest order.

import type { Stats } from 'node:fs';
import { SafeDir, errnoCode } from './safe-fs.js';
import { MANIFEST_NAME, isSafeName, refusedTypeReason, resolvesInside, type OverlayRules } from './overlay-rules.js';
import { listingDigest } from './overlay-digest.js';

/** Nesting beyond this is skipped (each level holds a descriptor open on both sides). */
export const MAX_DEPTH = 256;

/**
 * One step of the walk, depth first with names sorted. `dir` is followed by its children then `leave`.
 * A `file` entry's `parent` is open only until the consumer asks for the next entry.
 * `skip` has a reason when the entry was refused (unsafe or special), null when an ignore glob matched it.
 */
export type WalkEntry =
  | { kind: 'dir'; rel: string; name: string; mode: number }
  | { kind: 'leave'; rel: string; mode: number }
  | { kind: 'file'; rel: string; name: string; parent: SafeDir; stat: Stats }
  | { kind: 'link'; rel: string; name: string; text: string }
  | { kind: 'shared'; rel: string; name: string; listing: string }
  | { kind: 'skip'; rel: string; reason: string | null };

const specialKind = (st: Stats): Parameters<typeof refusedTypeReason>[0] =>
  st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : st.isCharacterDevice() ? 'char-device' : st.isBlockDevice() ? 'block-device' : 'other';

/** Opens a source subdirectory, or returns why it is skipped (swapped for a link mid-walk, unreadable). */
const openChild = async (dir: SafeDir, name: string): Promise<SafeDir | string> => {
  try {
    return await dir.openDir(name);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENOENT') return 'changed during the walk';
    if (code === 'EACCES' || code === 'EPERM') return `unreadable directory (${code})`;
    throw error;
  }
};

/** The listing digest of a directory shared under `smart`. */
const sharedListing = async (dir: SafeDir): Promise<string> => {
  const entries: { name: string; stat: Stats }[] = [];
  for (const name of await dir.list()) {
    const stat = await dir.lstat(name);
    if (stat) entries.push({ name, stat });
  }
  return listingDigest(entries);
};

async function* walkDir(root: SafeDir, dir: SafeDir, prefix: string, depth: number, rules: OverlayRules): AsyncGenerator<WalkEntry> {
  for (const name of await dir.list()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (!isSafeName(name)) {
      yield { kind: 'skip', rel, reason: 'unsafe entry name' };
      continue;
    }
    if (prefix === '' && name === MANIFEST_NAME) {
      yield { kind: 'skip', rel, reason: 'reserved name (the overlay manifest)' };
      continue;
    }
    const st = dir.lstatSync(name);
    if (st === null) {
      yield { kind: 'skip', rel, reason: 'vanished during the walk' };
      continue;
    }
    const isDir = st.isDirectory();
    if (rules.ignored(rel, isDir)) {
      yield { kind: 'skip', rel, reason: null };
    } else if (isDir && depth >= MAX_DEPTH) {
      yield { kind: 'skip', rel, reason: `nested deeper than ${MAX_DEPTH} levels` };
    } else if (isDir) {
      const child = await openChild(dir, name);
      if (typeof child === 'string') {
        yield { kind: 'skip', rel, reason: child };
        continue;
      }
      try {
        if (rules.shared(rel, true)) {
          yield { kind: 'shared', rel, name, listing: await sharedListing(child) };
        } else {
          const mode = (await child.stat()).mode;
          yield { kind: 'dir', rel, name, mode };
          yield* walkDir(root, child, rel, depth + 1, rules);
          yield { kind: 'leave', rel, mode };
        }
      } finally {
        await child.close();
      }
    } else if (st.isSymbolicLink()) {
      const text = await dir.readlink(name);
      const verdict = await resolvesInside(rel, text, (r) => root.linkAtPath(r));
      yield verdict.ok ? { kind: 'link', rel, name, text } : { kind: 'skip', rel, reason: verdict.reason };
    } else if (st.isFile()) {
      yield { kind: 'file', rel, name, parent: dir, stat: st };
    } else {
      yield { kind: 'skip', rel, reason: refusedTypeReason(specialKind(st)) };
    }
  }
}

/**
 * Returns a function to await between entries: it gives the event loop a turn once `ms` of work has passed.
 * The walk and small-file copies use sync calls (far cheaper than thread-pool round trips), so consumers slice.
 */
export const loopSlicer = (ms = 10): (() => Promise<void>) => {
  let start = performance.now();
  return async () => {
    if (performance.now() - start < ms) return;
    await new Promise((resolve) => setImmediate(resolve));
    start = performance.now();
  };
};

/**
 * Walks `root` (the source) applying the overlay's rules. Never leaves the tree: subdirectories are opened with
 * O_NOFOLLOW, links are reported (with whether they resolve inside), never followed. Special files (FIFOs,
 * sockets, devices) are skipped with a reason rather than failing the overlay: a template with a stray socket
 * should still lay down; the reason is reported. Closing the generator early releases every descriptor.
 */
export const walkSource = (root: SafeDir, rules: OverlayRules): AsyncGenerator<WalkEntry> => walkDir(root, root, '', 0, rules);
