// `sbx token [FILE]`: prints the bearer token of the project's optional TCP listener, creating it (0600) on first use.

import type { Command } from 'commander';
import { ensureToken, TokenError } from '../../daemon/api-token.js';
import { PrivateDirError, ensurePrivateDir } from '../../daemon/private-dir.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { resolveProject } from '../project.js';

/** Registers `token`. */
export const registerToken = (program: Command): void => {
  program
    .command('token')
    .description('print the bearer token the TCP listener (sbx daemon --listen) requires; created on first use')
    .argument('[file]', 'manifest file (its folder holds .sbx/)')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (file: string | undefined, options: { stateDir?: string }) => {
      const { stateDir } = resolveProject(file, options);
      try {
        await ensurePrivateDir(stateDir);
        process.stdout.write(`${await ensureToken(stateDir)}\n`);
      } catch (error) {
        if (error instanceof PrivateDirError || error instanceof TokenError) throw new CliError(error.message, EXIT_USAGE);
        throw error;
      }
    });
};
