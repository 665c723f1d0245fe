// Where a project's daemon socket lives: `.sbx/sbx.sock`, or a short path under /tmp when that exceeds sun_path.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** sun_path holds 108 bytes including the terminating NUL. */
export const SUN_PATH_MAX_BYTES = 107;

/** The socket's file name inside the state folder. */
export const SOCKET_NAME = 'sbx.sock';

/** File in the state folder that records the socket path when it is not the default one. */
export const SOCKET_POINTER_NAME = 'socket';

/** Folder of short socket paths for a user (mode 0700, owned by that user). */
export const shortSocketDir = (uid: number, tmp = '/tmp'): string => join(tmp, `sbx-${uid}`);

/** The socket path for a state folder: the default when it fits sun_path, else a short, stable path derived from it. */
export const chooseSocketPath = (stateDir: string, uid: number, tmp = '/tmp'): { path: string; short: boolean } => {
  const preferred = join(stateDir, SOCKET_NAME);
  if (Buffer.byteLength(preferred) <= SUN_PATH_MAX_BYTES) return { path: preferred, short: false };
  const digest = createHash('sha1').update(stateDir).digest('hex').slice(0, 16);
  return { path: join(shortSocketDir(uid, tmp), `${digest}.sock`), short: true };
};

/** The socket a client should connect to: the recorded pointer if there is one, else the computed path. */
export const locateSocket = async (stateDir: string, uid = process.getuid?.() ?? 0): Promise<string> => {
  try {
    const recorded = (await readFile(join(stateDir, SOCKET_POINTER_NAME), 'utf8')).trim();
    if (recorded !== '') return recorded;
  } catch {
    // no pointer: the default path
  }
  return chooseSocketPath(stateDir, uid).path;
};
