// `sbx checkpoint create|restore|list|delete`: record the desired state and which units run, and converge back to it.

import type { Command } from 'commander';
import { EXIT_FAILURE } from '../exit-codes.js';
import { connect, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';
import { renderCheckpointList, renderCreated, renderRestore } from '../render-checkpoint.js';
import { timeoutMs } from './apply.js';

type Options = ProjectOptions & { json?: boolean };

const json = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** Adds the options every checkpoint subcommand takes. */
const projectOptions = (command: Command): Command =>
  command
    .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .option('--json', 'print the answer as JSON');

const client = (options: Options) => connect(resolveProject(undefined, options));

/** Registers `checkpoint` and its subcommands. */
export const registerCheckpoint = (program: Command): void => {
  const group = program.command('checkpoint').description('record the desired state and which units run; restore it later');

  projectOptions(group.command('create').description('record the desired state, fingerprints and running units as NAME'))
    .argument('<name>', 'checkpoint name ([a-z0-9][a-z0-9._-]*)')
    .option('--overwrite', 'replace a checkpoint of the same name')
    .action(async (name: string, options: Options & { overwrite?: boolean }) => {
      const api = await client(options);
      const created = await withApiErrors(() => api.createCheckpoint({ name, overwrite: Boolean(options.overwrite) }));
      if (options.json) json(created);
      else process.stdout.write(renderCreated(created));
    });

  projectOptions(group.command('restore').description('converge back to NAME: start what ran, stop the rest; exit 1 if a unit failed'))
    .argument('<name>', 'checkpoint name')
    .option('--timeout <duration>', 'how long to wait for units to settle', '5m')
    .action(async (name: string, options: Options & { timeout: string }) => {
      const timeout = timeoutMs(options.timeout);
      const api = await client(options);
      const result = await withApiErrors(() => api.restoreCheckpoint(name, { timeout_ms: timeout }));
      if (options.json) json(result);
      else process.stdout.write(renderRestore(name, result));
      if (result.failed_services.length > 0 || result.timed_out) process.exitCode = EXIT_FAILURE;
    });

  projectOptions(group.command('list').alias('ls').description('list checkpoints, oldest first')).action(async (options: Options) => {
    const api = await client(options);
    const checkpoints = await withApiErrors(() => api.listCheckpoints());
    if (options.json) json(checkpoints);
    else process.stdout.write(renderCheckpointList(checkpoints, Date.now()));
  });

  projectOptions(group.command('delete').alias('rm').description('delete a checkpoint (units are left as they are)'))
    .argument('<name>', 'checkpoint name')
    .action(async (name: string, options: Options) => {
      const api = await client(options);
      const result = await withApiErrors(() => api.deleteCheckpoint(name));
      if (options.json) json(result);
      else process.stdout.write(`checkpoint ${name}: deleted\n`);
    });
};
