// The daemon's structured log; the only place loggers are created. Only the CLI prints to a terminal.

import { pino, destination, type Logger } from 'pino';

export type { Logger };

/** A JSON logger writing to the given file descriptor or path (the daemon's own log), silent when level is 'silent'. */
export const createLogger = (options: { level?: string; destination?: string | number } = {}): Logger =>
  pino(
    { level: options.level ?? 'info', base: undefined, redact: { paths: ['*.env', '*.secret', 'env'], censor: '***' } },
    destination({ dest: options.destination ?? 2, sync: false, mkdir: true }),
  );

/** A logger that writes nothing (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
