// `sbx daemon [--state-dir DIR] [FILE]`: runs the project's supervisor daemon in the foreground (the CLI starts
// the same command in the background on demand). Ctrl-C stops the daemon; the units keep running for the next one.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { serveUntilClosed } from '../../daemon/daemon-process.js';
import { PrivateDirError } from '../../daemon/private-dir.js';
import { localDeps } from '../../daemon/wiring.js';
import { CliError, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

/** Where the daemon keeps its state: --state-dir, else `.sbx` beside the manifest. */
export const stateDirFor = (file: string, stateDir: string | undefined): string => resolve(stateDir ?? join(dirname(resolve(file)), '.sbx'));

/** Registers `daemon`. */
export const registerDaemon = (program: Command): void => {
  program
    .command('daemon')
    .description('run the project’s supervisor daemon in the foreground (other commands start it on demand)')
    .argument('[file]', 'manifest file (its folder holds .sbx/)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (file: string, options: { stateDir?: string }) => {
      const stateDir = stateDirFor(file, options.stateDir);
      const manifestPath = existsSync(resolve(file)) ? resolve(file) : null;
      let outcome;
      try {
        outcome = await serveUntilClosed({ stateDir, manifestPath }, localDeps, (socket) => {
          process.stdout.write(`sbx daemon: serving ${stateDir} on ${socket} (pid ${process.pid}); log in ${join(stateDir, 'daemon.log')}\n`);
        });
      } catch (error) {
        if (error instanceof PrivateDirError) throw new CliError(error.message, EXIT_USAGE);
        throw error;
      }
      if (!outcome.served) {
        process.stderr.write(`sbx daemon: a daemon (pid ${outcome.holderPid}) already serves ${stateDir}\n`);
      }
      // The engine's timers and log readers are closed; exit now rather than wait for stray handles.
      process.exit(EXIT_OK);
    });
};
