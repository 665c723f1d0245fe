// sbx's entry point: parses argv, runs one command, turns errors into messages and exit codes.

import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';

/** Builds the program with every command registered. */
export const buildProgram = (): Command => {
  const program = new Command('sbx')
    .description('Declarative process orchestrator: converge local processes to sandbox.yaml')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
};

/** Runs the CLI and sets process.exitCode. */
export const main = async (argv: string[]): Promise<void> => {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`sbx: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`sbx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  }
};

