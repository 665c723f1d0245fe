// Waits for a daemon process to be gone (after POST /v1/shutdown), polling with a deadline.

import { CliError, EXIT_FAILURE } from './exit-codes.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Resolves once `pid` no longer exists; rejects after timeoutMs. */
export const waitForDaemonExit = async (pid: number, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; alive(pid); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) throw new CliError(`the daemon (pid ${pid}) did not exit within ${timeoutMs} ms`, EXIT_FAILURE);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
};
