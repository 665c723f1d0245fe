// `sbx exec UNIT -- CMD...`: run a one-shot command in a unit's context (argv, never a shell line).

import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { connect, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';

/** Registers `exec`. */
export const registerExec = (program: Command): void => {
  program
    .command('exec')
    .description("run a command in a unit's working directory and environment (inside its container for container units)")
    .argument('<unit>', 'unit name')
    .argument('<cmd...>', 'the command and its arguments (after --)')
    .option('--timeout <secs>', 'kill the command after this many seconds', '60')
    .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .option('--json', 'print stdout, stderr and the exit code as JSON')
    .action(async (unit: string, cmd: string[], options: ProjectOptions & { timeout: string; json?: boolean }) => {
      const timeout = Number(options.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new CliError(`--timeout expects a number of seconds, got ${JSON.stringify(options.timeout)}`, EXIT_USAGE);
      const client = await connect(resolveProject(undefined, options));
      const result = await withApiErrors(() => client.execUnit(unit, cmd, { timeout_secs: timeout }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        if (result.timed_out) process.stderr.write(`sbx: timed out after ${timeout} s\n`);
      }
      process.exitCode = result.exit_code ?? 124;
    });
};
