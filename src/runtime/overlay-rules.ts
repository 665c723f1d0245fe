// Pure decisions an overlay makes per source entry: ignored or not, shared (smart) or copied, safe link or not.

import picomatch from 'picomatch';

/** Directory names `smart` always shares by symlink, whatever the overlay lists (spec §3). */
export const DEFAULT_IMMUTABLE: readonly string[] = ['node_modules', '.venv'];

/** The overlay's record of what it wrote, kept at the target's root; a source entry of that name is never copied. */
export const MANIFEST_NAME = '.sbx-overlay.json';

/** Symlink hops followed when deciding where a source link resolves (the kernel's own limit). */
export const MAX_LINK_HOPS = 40;

/** Answers "does this relative path match?" for a list of gitignore-ish globs. */
export type PathMatcher = (rel: string, isDir: boolean) => boolean;

interface CompiledGlob {
  negated: boolean;
  dirOnly: boolean;
  /** Unanchored globs (no `/` inside) are tested against the basename at any depth. */
  anchored: boolean;
  test: (s: string) => boolean;
}

/**
 * Compiles globs with .gitignore-like rules, so `node_modules` alone matches that directory anywhere:
 * - a glob without a `/` (other than a trailing one) matches the entry's basename at any depth;
 * - a glob with a `/` is anchored at the source root (a leading `/` is dropped), e.g. `dist/*.map`;
 * - a trailing `/` matches directories only; a leading `!` re-includes; the last matching glob wins;
 * - `*` matches dotfiles too (`dot: true`); `dir/**` matches `dir` itself as well (picomatch).
 * A matched directory is skipped whole (never descended), so a `!` cannot re-include inside it.
 */
export const compileGlobs = (patterns: readonly string[]): PathMatcher => {
  const globs: CompiledGlob[] = [];
  for (const raw of patterns) {
    let p = raw.trim();
    if (p === '') continue;
    const negated = p.startsWith('!');
    if (negated) p = p.slice(1);
    const dirOnly = p.endsWith('/');
    p = p.replace(/\/+$/, '');
    const anchored = p.includes('/');
    p = p.replace(/^\/+/, '');
    if (p === '') continue;
    globs.push({ negated, dirOnly, anchored, test: picomatch(p, { dot: true }) });
  }
  return (rel, isDir) => {
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    let matched = false;
    for (const g of globs) {
      if (g.dirOnly && !isDir) continue;
      if (g.test(g.anchored ? rel : base)) matched = !g.negated;
    }
    return matched;
  };
};

/** The per-overlay decisions, built once per sync or digest. */
export interface OverlayRules {
  ignored: PathMatcher;
  /** True for directories `smart` shares by symlink; always false under `copy`. */
  shared: PathMatcher;
}

/** Builds the rules for an overlay: ignore globs, plus (smart only) the immutable names and the defaults. */
export const overlayRules = (spec: { strategy: 'copy' | 'smart'; ignore: readonly string[]; immutable: readonly string[] }): OverlayRules => {
  const shared = spec.strategy === 'smart' ? compileGlobs([...DEFAULT_IMMUTABLE, ...spec.immutable]) : () => false;
  return { ignored: compileGlobs(spec.ignore), shared: (rel, isDir) => isDir && shared(rel, isDir) };
};

/** A mode with setuid, setgid and sticky bits removed: copies never carry privilege. */
export const safeMode = (mode: number): number => mode & 0o777;

/** A single directory entry name that cannot climb or nest: not empty, `.`, `..`, and no `/` or NUL. */
export const isSafeName = (name: string): boolean =>
  name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');

/** A relative path made only of safe names (used for paths read back from the overlay manifest). */
export const isSafeRelPath = (rel: string): boolean => rel.split('/').every(isSafeName);

/** Why a source entry of a special file type is refused (overlays skip them, counted, never fail on them). */
export const refusedTypeReason = (kind: 'fifo' | 'socket' | 'char-device' | 'block-device' | 'other'): string =>
  kind === 'fifo' ? 'FIFO refused' : kind === 'socket' ? 'socket refused' : kind === 'other' ? 'unknown file type refused' : `${kind} refused`;

/** Where a source symlink goes: inside the source tree (ok) or not (with the reason it is skipped). */
export type LinkVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Decides whether the symlink at `linkRel` with text `text` resolves inside the source tree, walking the way the
 * kernel would: `readLink(rel)` returns the text of the link at `rel` (relative to the root) or null when `rel` is
 * not a symlink (or does not exist). Lexical checks alone are not enough: with `sub/x -> ..`, `sub/y -> x/..`
 * stays inside lexically but resolves to the root's parent. Absolute links are always refused.
 */
export const resolvesInside = async (
  linkRel: string,
  text: string,
  readLink: (rel: string) => Promise<string | null>,
): Promise<LinkVerdict> => {
  if (text.startsWith('/')) return { ok: false, reason: 'absolute symlink' };
  if (text === '' || text.includes('\0')) return { ok: false, reason: 'empty symlink' };
  const stack = linkRel.split('/').slice(0, -1);
  let pending = text.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (stack.length === 0) return { ok: false, reason: 'symlink points outside the source' };
      stack.pop();
      continue;
    }
    stack.push(c);
    const next = await readLink(stack.join('/'));
    if (next === null) continue;
    if (++hops > MAX_LINK_HOPS) return { ok: false, reason: 'too many levels of symlinks' };
    if (next.startsWith('/')) return { ok: false, reason: 'symlink resolves through an absolute symlink' };
    stack.pop();
    pending = [...next.split('/'), ...pending];
  }
  return { ok: true };
};
