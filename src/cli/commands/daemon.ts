// `sbx daemon [--state-dir DIR] [FILE]`: runs the project's supervisor daemon in the foreground (the CLI starts
// the same command in the background on demand). Ctrl-C stops the daemon; the units keep running for the next one.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { serveUntilClosed } from '../../daemon/daemon-process.js';
import { TokenError } from '../../daemon/api-token.js';
import { PrivateDirError } from '../../daemon/private-dir.js';
import { LISTEN_ENV, parseTcpAddress, urlHost, type TcpAddress } from '../../daemon/tcp-address.js';
import { localDeps } from '../../daemon/wiring.js';
import { parseUrlHost, URL_HOST_ENV } from '../../daemon/public-url.js';
import { CliError, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

/** Where the daemon keeps its state: --state-dir, else `.sbx` beside the manifest. */
export const stateDirFor = (file: string, stateDir: string | undefined): string => resolve(stateDir ?? join(dirname(resolve(file)), '.sbx'));

/** Levels the daemon's log accepts. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** The TCP listener's address from --listen or the environment; a non-loopback address is a usage error. */
const listenAddress = (text: string | undefined): TcpAddress | null => {
  if (text === undefined || text.trim() === '') return null;
  const parsed = parseTcpAddress(text);
  if (!parsed.ok) throw new CliError(parsed.error, EXIT_USAGE);
  return parsed.value;
};

/** Registers `daemon`. */
export const registerDaemon = (program: Command): void => {
  program
    .command('daemon')
    .description('run the project’s supervisor daemon in the foreground (other commands start it on demand)')
    .argument('[file]', 'manifest file (its folder holds .sbx/)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .option('--listen <host:port>', `also serve the API over TCP on a loopback address, token required (default: $${LISTEN_ENV}, else off)`)
    .option('--url-host <host>', `host of the url servers report (default: $${URL_HOST_ENV}, else 127.0.0.1)`)
    .option('--log-level <level>', `level of .sbx/daemon.log: ${LOG_LEVELS.join(', ')} (default: $SBX_LOG_LEVEL, else info)`)
    .action(async (file: string, options: { stateDir?: string; listen?: string; logLevel?: string; urlHost?: string }) => {
      const stateDir = stateDirFor(file, options.stateDir);
      const manifestPath = existsSync(resolve(file)) ? resolve(file) : null;
      const listen = listenAddress(options.listen ?? process.env[LISTEN_ENV]);
      const logLevel = options.logLevel ?? process.env.SBX_LOG_LEVEL ?? 'info';
      if (!LOG_LEVELS.includes(logLevel)) throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel)})`, EXIT_USAGE);
      const publicHost = parseUrlHost(options.urlHost ?? process.env[URL_HOST_ENV]);
      if (!publicHost.ok) throw new CliError(`${options.urlHost !== undefined ? '--url-host' : `$${URL_HOST_ENV}`}: ${publicHost.error}`, EXIT_USAGE);
      let outcome;
      try {
        outcome = await serveUntilClosed({ stateDir, manifestPath, listen, logLevel, urlHost: publicHost.value }, localDeps, (socket, tcp) => {
          process.stdout.write(`sbx daemon: serving ${stateDir} on ${socket} (pid ${process.pid}); log in ${join(stateDir, 'daemon.log')}\n`);
          if (tcp) process.stdout.write(`sbx daemon: also on http://${urlHost(tcp.host)}:${tcp.port} (bearer token: \`sbx token\`)\n`);
        });
      } catch (error) {
        if (error instanceof PrivateDirError || error instanceof TokenError) throw new CliError(error.message, EXIT_USAGE);
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && listen) throw new CliError(`cannot listen on ${options.listen ?? process.env[LISTEN_ENV]}: the address is in use`, EXIT_USAGE);
        throw error;
      }
      if (!outcome.served) {
        process.stderr.write(`sbx daemon: a daemon (pid ${outcome.holderPid}) already serves ${stateDir}\n`);
      }
      // The engine's timers and log readers are closed; exit now rather than wait for stray handles.
      process.exit(EXIT_OK);
    });
};
