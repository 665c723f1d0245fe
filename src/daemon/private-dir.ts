// Folders only their owner can enter (0700): the state folder and the short-socket folder. Never wider, never someone else's.

import { chmod, lstat, mkdir } from 'node:fs/promises';

/** Raised when a folder cannot be made private (wrong owner, a symlink, not a folder). */
export class PrivateDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateDirError';
  }
}

/** Creates `path` with mode 0700 if missing; tightens an existing folder to 0700; refuses symlinks and foreign owners. */
export const ensurePrivateDir = async (path: string): Promise<void> => {
  // mode 0700 under any umask (a umask only removes bits); parents created on the way get 0700 too.
  await mkdir(path, { recursive: true, mode: 0o700 });
  const stat = await lstat(path);
  if (stat.isSymbolicLink()) throw new PrivateDirError(`${path} is a symbolic link; sbx needs a real folder it owns`);
  if (!stat.isDirectory()) throw new PrivateDirError(`${path} exists and is not a folder`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new PrivateDirError(`${path} belongs to uid ${stat.uid}, not to this user (uid ${uid})`);
  if ((stat.mode & 0o777) !== 0o700) await chmod(path, 0o700);
};
