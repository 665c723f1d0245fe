// File operations bound to an open directory, so a symlink or a swapped path component can never redirect a write.
//
// Node has no openat(2). On Linux, `/proc/self/fd/N/name` gives the same guarantee: the kernel resolves
// `/proc/self/fd/N` to the directory the descriptor holds (wherever it has been moved to since), and every final
// component is opened with O_NOFOLLOW / O_EXCL or replaced by rename, which never follows a link. Directories are
// descended only through O_DIRECTORY|O_NOFOLLOW opens, so a walk never leaves the tree it started in.
// Without /proc (not Linux) the same calls can go through the directory's path: final components are still never
// followed, but a concurrent swap of a parent component can redirect a write (the race test shows it does), so
// that fallback is used only when the caller allows it.

import { constants as C, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import fsSync from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isSafeName, isSafeRelPath } from './overlay-rules.js';

const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;
const READ_FLAGS = C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK | C.O_NOCTTY;
const CREATE_FLAGS = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;

/** Prefix of the temporary names used while writing; never left behind on a handled error. */
export const TEMP_PREFIX = '.sbx-tmp-';

let tempCounter = 0;
const tempBase = `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-`;
/** A fresh temp entry name (created with O_EXCL, so a collision fails rather than clobbers). */
const tempName = (): string => `${tempBase}${(tempCounter++).toString(36)}`;

/** A path that would leave the tree or follow a link (the caller reports it; the operation was not done). */
export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
}

/** The errno code of a Node fs error, or undefined. */
export const errnoCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

let procFdCheck: Promise<boolean> | undefined;
/** True when /proc/self/fd resolves descriptors to their directories (Linux with /proc mounted). */
const procFdWorks = (): Promise<boolean> =>
  (procFdCheck ??= (async () => {
    try {
      const fh = await fs.open('/', DIR_FLAGS);
      try {
        return (await fs.readlink(`/proc/self/fd/${fh.fd}`)) === '/';
      } finally {
        await fh.close();
      }
    } catch {
      return false;
    }
  })());

/** Times and mode applied to a file written by writeFileAtomic. */
export interface FileMeta {
  mode: number;
  atime: Date;
  mtime: Date;
}

/** An open directory; every operation names one entry of it and never follows a link at that entry. */
export class SafeDir {
  private constructor(
    private readonly fh: FileHandle,
    /** The path the directory was reached by (for messages only). */
    readonly path: string,
    private readonly viaProc: boolean,
  ) {}

  /**
   * Opens a root directory by path; `followFinal` false refuses a root that is itself a symlink. With
   * `requireProcFd`, refuses (UnsafePathError) where only the racy path fallback is available.
   */
  static async open(absPath: string, options: { followFinal: boolean; requireProcFd: boolean }): Promise<SafeDir> {
    const viaProc = await procFdWorks();
    if (!viaProc && options.requireProcFd) {
      throw new UnsafePathError('race-free overlay writes need /proc/self/fd (Linux with /proc mounted); the path fallback was not allowed');
    }
    const fh = await fs.open(absPath, options.followFinal ? C.O_RDONLY | C.O_DIRECTORY : DIR_FLAGS);
    return new SafeDir(fh, absPath, viaProc);
  }

  private get base(): string {
    return this.viaProc ? `/proc/self/fd/${this.fh.fd}` : this.path;
  }

  /** The path used to reach entry `name` through this directory; refuses names that could climb or nest. */
  private at(name: string): string {
    if (!isSafeName(name)) throw new UnsafePathError(`refusing entry name ${JSON.stringify(name)} in ${this.path}`);
    return `${this.base}/${name}`;
  }

  /** Display path of an entry (messages only). */
  child(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  /** Opens a subdirectory; fails (ENOTDIR or ELOOP) when the entry is a symlink, even to a directory. */
  async openDir(name: string): Promise<SafeDir> {
    const fh = await fs.open(this.at(name), DIR_FLAGS);
    return new SafeDir(fh, this.child(name), this.viaProc);
  }

  /** lstat of an entry, or null when it does not exist. */
  async lstat(name: string): Promise<Stats | null> {
    try {
      return await fs.lstat(this.at(name));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  /** The text of the symlink at `rel` (relative, checked names) or null when that is not a symlink or is missing. */
  async linkAtPath(rel: string): Promise<string | null> {
    if (!isSafeRelPath(rel)) return null;
    const p = `${this.base}/${rel}`;
    try {
      return (await fs.lstat(p)).isSymbolicLink() ? await fs.readlink(p) : null;
    } catch {
      return null;
    }
  }

  /** Entry names, sorted by UTF-16 code unit (the walk order digests depend on). */
  async list(): Promise<string[]> {
    return (await fs.readdir(this.base)).sort();
  }

  /** The text of the symlink `name`. */
  readlink(name: string): Promise<string> {
    return fs.readlink(this.at(name));
  }

  /** Creates subdirectory `name` (fails if anything exists there). */
  async mkdir(name: string, mode = 0o700): Promise<void> {
    await fs.mkdir(this.at(name), mode);
  }

  /** Opens a regular file for reading without following a link or blocking on a FIFO; null if it is not one. */
  async openFile(name: string): Promise<{ fh: FileHandle; stat: Stats } | null> {
    let fh: FileHandle;
    try {
      fh = await fs.open(this.at(name), READ_FLAGS);
    } catch (error) {
      if (['ELOOP', 'ENOENT', 'ENXIO'].includes(errnoCode(error) ?? '')) return null;
      throw error;
    }
    const stat = await fh.stat();
    if (stat.isFile()) return { fh, stat };
    await fh.close();
    return null;
  }

  /** Writes `name` by filling a fresh temp file (O_EXCL|O_NOFOLLOW) here and renaming it over; returns its stat. */
  async writeFileAtomic(name: string, meta: FileMeta, fill: (fh: FileHandle) => Promise<void>): Promise<Stats> {
    const dest = this.at(name);
    const tmp = this.at(tempName());
    const fh = await fs.open(tmp, CREATE_FLAGS, 0o600);
    let stat: Stats;
    try {
      try {
        await fill(fh);
        await fh.chmod(meta.mode);
        await fh.utimes(meta.atime, meta.mtime);
        stat = await fh.stat();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, dest);
    } catch (error) {
      await fs.unlink(tmp).catch(() => undefined);
      throw error;
    }
    return stat;
  }

  /** lstat of an entry, or null when it does not exist (sync: for the small-file fast path). */
  lstatSync(name: string): Stats | null {
    return fsSync.lstatSync(this.at(name), { throwIfNoEntry: false }) ?? null;
  }

  /** openFile, sync (small-file fast path); the caller closes the fd. */
  openFileSync(name: string): { fd: number; stat: Stats } | null {
    let fd: number;
    try {
      fd = fsSync.openSync(this.at(name), READ_FLAGS);
    } catch (error) {
      if (['ELOOP', 'ENOENT', 'ENXIO'].includes(errnoCode(error) ?? '')) return null;
      throw error;
    }
    const stat = fsSync.fstatSync(fd);
    if (stat.isFile()) return { fd, stat };
    fsSync.closeSync(fd);
    return null;
  }

  /** writeFileAtomic, sync (small-file fast path: a few syscalls, far cheaper than thread-pool round trips). */
  writeFileAtomicSync(name: string, meta: FileMeta, fill: (fd: number) => void): Stats {
    const dest = this.at(name);
    const tmp = this.at(tempName());
    const fd = fsSync.openSync(tmp, CREATE_FLAGS, 0o600);
    let stat: Stats;
    try {
      try {
        fill(fd);
        fsSync.fchmodSync(fd, meta.mode);
        fsSync.futimesSync(fd, meta.atime, meta.mtime);
        stat = fsSync.fstatSync(fd);
      } finally {
        fsSync.closeSync(fd);
      }
      fsSync.renameSync(tmp, dest);
    } catch (error) {
      try {
        fsSync.unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw error;
    }
    return stat;
  }

  /** Creates or replaces `name` with a symlink to `text` (temp link, then rename: never follows the old entry). */
  async symlinkAtomic(name: string, text: string): Promise<void> {
    const dest = this.at(name);
    const tmp = this.at(tempName());
    await fs.symlink(text, tmp);
    try {
      await fs.rename(tmp, dest);
    } catch (error) {
      await fs.unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  /** Removes a non-directory entry (a symlink is removed itself, never its target). */
  async unlink(name: string): Promise<void> {
    await fs.unlink(this.at(name));
  }

  /** Removes an empty subdirectory. */
  async rmdir(name: string): Promise<void> {
    await fs.rmdir(this.at(name));
  }

  /** Removes `name` and everything under it, descending only into real directories (links are unlinked). */
  async removeTree(name: string): Promise<void> {
    const st = await this.lstat(name);
    if (st === null) return;
    if (!st.isDirectory()) return this.unlink(name);
    let dir: SafeDir;
    try {
      dir = await this.openDir(name);
    } catch (error) {
      if (['ENOTDIR', 'ELOOP'].includes(errnoCode(error) ?? '')) return this.unlink(name);
      throw error;
    }
    try {
      for (const entry of await dir.list()) await dir.removeTree(entry);
    } finally {
      await dir.close();
    }
    try {
      await this.rmdir(name);
    } catch (error) {
      if (errnoCode(error) === 'ENOTDIR') return this.unlink(name);
      throw error;
    }
  }

  /** fstat of the directory itself. */
  stat(): Promise<Stats> {
    return this.fh.stat();
  }

  /** fchmod of the directory itself. */
  async chmod(mode: number): Promise<void> {
    await this.fh.chmod(mode);
  }

  /** Where the directory really is now (the kernel's view of the descriptor). */
  realPath(): Promise<string> {
    return this.viaProc ? fs.readlink(this.base) : fs.realpath(this.path);
  }

  /** Releases the descriptor. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}
