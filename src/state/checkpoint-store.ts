// Checkpoints on disk: one file per checkpoint, `<dir>/NAME.json` (0600, in a 0700 folder), replaced atomically.

import { access, chmod, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { isCheckpointName, parseCheckpoint, serializeCheckpoint, type Checkpoint } from './checkpoint.js';

const SUFFIX = '.json';

/** A checkpoint file that exists but cannot be used (not JSON, wrong version, wrong shape). */
export class CheckpointFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`checkpoint file ${path} is unreadable: ${reason}`);
    this.name = 'CheckpointFileError';
  }
}

/** What listing found: the readable checkpoints (oldest first) and the files it could not read. */
export interface CheckpointListing {
  checkpoints: Checkpoint[];
  unreadable: { name: string; error: string }[];
}

/** Stores checkpoints in `dir` (e.g. `.sbx/checkpoints`); writes are serialised so "exists" checks do not race. */
export class CheckpointStore {
  #queue: Promise<unknown> = Promise.resolve();
  #cleaned = false;

  constructor(readonly dir: string) {}

  /** The file a checkpoint lives in (the name must be valid: it becomes a file name). */
  pathOf(name: string): string {
    if (!isCheckpointName(name)) throw new Error(`invalid checkpoint name ${JSON.stringify(name)}`);
    return join(this.dir, `${name}${SUFFIX}`);
  }

  /** Writes a checkpoint; resolves false (and writes nothing) when one of that name exists and overwrite is false. */
  save(checkpoint: Checkpoint, options: { overwrite: boolean }): Promise<boolean> {
    return this.#serial(async () => {
      await this.#ensureDir();
      const path = this.pathOf(checkpoint.name);
      if (!options.overwrite && (await exists(path))) return false;
      await writeFileAtomic(path, serializeCheckpoint(checkpoint), 0o600);
      return true;
    });
  }

  /** The checkpoint named `name`, or null when there is none; throws CheckpointFileError when its file is unusable. */
  async read(name: string): Promise<Checkpoint | null> {
    const path = this.pathOf(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const parsed = parseCheckpoint(text, name);
    if (!parsed.ok) throw new CheckpointFileError(path, parsed.error);
    return parsed.value;
  }

  /** Every checkpoint, oldest first (ties by name); unusable files are reported, not fatal. */
  async list(): Promise<CheckpointListing> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], unreadable: [] };
      throw error;
    }
    const listing: CheckpointListing = { checkpoints: [], unreadable: [] };
    for (const file of files.sort()) {
      if (!file.endsWith(SUFFIX)) continue;
      const name = file.slice(0, -SUFFIX.length);
      if (!isCheckpointName(name)) continue;
      try {
        const checkpoint = await this.read(name);
        if (checkpoint) listing.checkpoints.push(checkpoint);
      } catch (error) {
        listing.unreadable.push({ name, error: error instanceof CheckpointFileError ? error.reason : String(error) });
      }
    }
    listing.checkpoints.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.name.localeCompare(b.name));
    return listing;
  }

  /** Deletes a checkpoint; resolves false when there was none. */
  remove(name: string): Promise<boolean> {
    return this.#serial(async () => {
      try {
        await unlink(this.pathOf(name));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    });
  }

  /** Creates the folder private (0700); the first time, drops temp files that killed writers left in it. */
  async #ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    if (this.#cleaned) return;
    this.#cleaned = true;
    const bases = new Set((await readdir(this.dir)).map((file) => /^(.+\.json)\.tmp-/.exec(file)?.[1]).filter((b): b is string => !!b));
    for (const base of bases) await removeStaleTemps(join(this.dir, base));
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

const exists = async (path: string): Promise<boolean> => {
  try {
    await access(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
};
