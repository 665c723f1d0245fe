// Where an overlay may be laid down: checks the source and target paths, then opens both as directory handles.

import path from 'node:path';
import fs from 'node:fs/promises';
import { SafeDir, UnsafePathError, errnoCode } from './safe-fs.js';

/** An expected overlay failure; its message becomes the result's `error`. */
export class OverlayError extends Error {
  override name = 'OverlayError';
}

/** True when `child` is `parent` or lies inside it (both absolute, normalized). */
export const isWithin = (child: string, parent: string): boolean =>
  child === parent || child.startsWith(parent === '/' ? '/' : `${parent}/`);

/** Why a target may not receive this source, or null: never `/`, never the source, never inside it or around it. */
export const placementProblem = (sourceReal: string, targetReal: string): string | null => {
  if (targetReal === '/') return 'target is the filesystem root';
  if (targetReal === sourceReal) return `target ${targetReal} is the source itself`;
  if (isWithin(targetReal, sourceReal)) return `target ${targetReal} is inside the source ${sourceReal}`;
  if (isWithin(sourceReal, targetReal)) return `source ${sourceReal} is inside the target ${targetReal}`;
  return null;
};

/** The real path `p` would have: the realpath of its deepest existing ancestor plus the missing rest. */
export const realpathOfNearest = async (p: string): Promise<string> => {
  const rest: string[] = [];
  for (let cur = path.resolve(p); ; ) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (error) {
      const parent = path.dirname(cur);
      if (errnoCode(error) !== 'ENOENT' || parent === cur) throw error;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
};

/** The opened ends of an overlay. */
export interface PlacedOverlay {
  source: SafeDir;
  target: SafeDir;
  sourceReal: string;
  targetReal: string;
}

const openOr = async (open: () => Promise<SafeDir>, explain: (code: string | undefined, error: unknown) => string): Promise<SafeDir> => {
  try {
    return await open();
  } catch (error) {
    throw new OverlayError(explain(errnoCode(error), error));
  }
};

/**
 * Validates and opens an overlay's source and target. The target's parents are created when missing (they are
 * the user's own paths, so links among them are followed); the target itself must be a real directory, never a
 * symlink. Placement is checked before anything is created and again on the opened target.
 */
export const placeOverlay = async (spec: { source: string; target: string }, allowPathFallback = false): Promise<PlacedOverlay> => {
  const requireProcFd = !allowPathFallback;
  if (!path.isAbsolute(spec.source)) throw new OverlayError(`source ${JSON.stringify(spec.source)} must be an absolute path`);
  if (!path.isAbsolute(spec.target)) throw new OverlayError(`target ${JSON.stringify(spec.target)} must be an absolute path`);
  const target = path.resolve(spec.target);
  let sourceReal: string;
  try {
    sourceReal = await fs.realpath(spec.source);
  } catch (error) {
    throw new OverlayError(`source ${spec.source} cannot be read (${errnoCode(error) ?? String(error)})`);
  }
  const before = placementProblem(sourceReal, await realpathOfNearest(target));
  if (before) throw new OverlayError(before);
  const source = await openOr(
    () => SafeDir.open(sourceReal, { followFinal: true, requireProcFd }),
    (code, error) => (error instanceof UnsafePathError ? error.message : `source ${spec.source} is not a readable directory (${code ?? 'error'})`),
  );
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.mkdir(target, 0o755).catch((error: unknown) => {
      if (errnoCode(error) !== 'EEXIST') throw error;
    });
    const dest = await openOr(
      () => SafeDir.open(target, { followFinal: false, requireProcFd }),
      (code) =>
        code === 'ENOTDIR' || code === 'ELOOP'
          ? `target ${target} is a symlink or not a directory; refusing to write through it`
          : `target ${target} cannot be opened (${code ?? 'error'})`,
    );
    const targetReal = await dest.realPath();
    const after = placementProblem(sourceReal, targetReal);
    if (after) {
      await dest.close();
      throw new OverlayError(after);
    }
    return { source, target: dest, sourceReal, targetReal };
  } catch (error) {
    await source.close();
    if (error instanceof OverlayError) throw error;
    throw new OverlayError(`target ${target} cannot be created (${errnoCode(error) ?? String(error)})`);
  }
};
