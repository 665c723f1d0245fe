// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over, fsync the folder.

import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

const TEMP_MARK = '.tmp-';

/** Replaces `path` with `data` so that after a crash at any point it holds the old or the new content, never a mix. */
export const writeFileAtomic = async (path: string, data: string | Uint8Array, mode = 0o600): Promise<void> => {
  const temp = `${path}${TEMP_MARK}${process.pid}-${sequence++}`;
  const file = await open(temp, 'wx', mode);
  try {
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
};

/** Makes a rename in `dir` durable. */
export const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Deletes temp files a killed writer left beside `path`; returns how many it removed. */
export const removeStaleTemps = async (path: string): Promise<number> => {
  const prefix = `${basename(path)}${TEMP_MARK}`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (pid === process.pid) continue;
    await unlink(join(dirname(path), name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
};
