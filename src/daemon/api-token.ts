// The TCP listener's bearer token: 32 random bytes, created on first use, kept 0600 in the state folder as `token`.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, open } from 'node:fs/promises';
import { join } from 'node:path';

/** The token's file inside the state folder. */
export const TOKEN_FILE = 'token';

/** A token shorter than this (a hand-written file) is refused: it would be guessable. */
const MIN_TOKEN_LENGTH = 32;

/** Raised when the token file exists but cannot be used. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

const readExisting = async (path: string): Promise<string | null> => {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new TokenError(`${path} is a symbolic link; remove it (sbx creates the token itself)`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new TokenError(`${path} is not a regular file`);
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) throw new TokenError(`${path} belongs to uid ${stat.uid}, not to this user (uid ${uid})`);
    if ((stat.mode & 0o077) !== 0) await chmod(path, 0o600);
    const token = (await handle.readFile('utf8')).trim();
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) throw new TokenError(`${path} does not hold a usable token; delete it and sbx makes a new one`);
    return token;
  } finally {
    await handle.close();
  }
};

/** The project's token, created (0600, exclusively) when there is none yet. The state folder must exist. */
export const ensureToken = async (stateDir: string): Promise<string> => {
  const path = join(stateDir, TOKEN_FILE);
  const existing = await readExisting(path);
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  try {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await handle.writeFile(`${token}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return token;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readExisting(path)) ?? token;
    throw error;
  }
};
