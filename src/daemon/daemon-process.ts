// Runs a daemon as this process's whole job: start (or find the live one), close on SIGTERM/SIGINT/SIGHUP, resolve when closed.

import type { TcpAddress } from './tcp-address.js';
import { startDaemon, type DaemonOptions, type DepsFactory, type StartOutcome } from './daemon.js';

/** What a foreground run ended with. */
export type ServeOutcome = { served: true; socketPath: string } | { served: false; holderPid: number };

/** Starts the daemon and waits until it closes (signal or `POST /v1/shutdown`); `onListening` runs once it serves. */
export const serveUntilClosed = async (
  options: DaemonOptions,
  makeDeps: DepsFactory,
  onListening: (socketPath: string, tcp: TcpAddress | null) => void = () => undefined,
): Promise<ServeOutcome> => {
  const outcome: StartOutcome = await startDaemon(options, makeDeps);
  if (!outcome.started) return { served: false, holderPid: outcome.holder.pid };
  const { daemon } = outcome;
  const onSignal = (): void => void daemon.close();
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  onListening(daemon.socketPath, daemon.tcp);
  try {
    await daemon.closed;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
  return { served: true, socketPath: daemon.socketPath };
};
