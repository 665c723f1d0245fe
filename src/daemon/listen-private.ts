// Binds a Unix socket that is 0600 from its first instant: the umask is narrowed around a synchronous bind (no chmod window).

import { lstat, unlink } from 'node:fs/promises';
import type { Server } from 'node:net';

/** Removes a leftover socket file at `path` (only a socket: anything else is an error, never deleted). */
export const removeStaleSocket = async (path: string): Promise<void> => {
  let stat;
  try {
    stat = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket; remove it or choose another state folder`);
  await unlink(path);
};

/** Listens on `path` with mode 0600. The caller must hold the state folder's lock (a socket there is stale). */
export const listenPrivate = async (server: Server, path: string): Promise<void> => {
  await removeStaleSocket(path);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // For a pipe, net.Server#listen binds synchronously inside this call, so the narrowed umask covers exactly the bind.
    const previous = process.umask(0o177);
    try {
      server.listen({ path, exclusive: true });
    } finally {
      process.umask(previous);
    }
  });
};
