// `sbx down`: stop every unit in reverse dependency order, then the daemon; no process is left behind.

import type { Command } from 'commander';
import { connectIfRunning, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';
import { waitForDaemonExit } from '../daemon-exit.js';

/** Registers `down`. */
export const registerDown = (program: Command): void => {
  program
    .command('down')
    .description('stop every unit (dependents first), then the daemon')
    .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .option('--json', 'print what was stopped as JSON')
    .action(async (options: ProjectOptions & { json?: boolean }) => {
      const project = resolveProject(undefined, options);
      const client = await connectIfRunning(project);
      if (!client) {
        process.stdout.write(options.json ? `${JSON.stringify({ stopped_units: [], daemon: 'not running' })}\n` : 'nothing to stop: no daemon is running\n');
        return;
      }
      const health = await withApiErrors(() => client.health());
      const result = await withApiErrors(() => client.shutdown({ stop_units: true }));
      await waitForDaemonExit(health.pid);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ stopped_units: result.stopped_units, daemon: 'stopped' })}\n`);
        return;
      }
      for (const unit of result.stopped_units) process.stdout.write(`${unit}: stopped\n`);
      process.stdout.write(`✔ ${result.stopped_units.length} unit${result.stopped_units.length === 1 ? '' : 's'} stopped, daemon stopped\n`);
    });
};
