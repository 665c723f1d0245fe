// `sbx up [FILE]`: apply, then follow every unit's logs with a coloured prefix; Ctrl-C stops the project.

import type { Command } from 'commander';
import { waitForDaemonExit } from '../daemon-exit.js';
import { connect, resolveProject, withApiErrors } from '../project.js';
import { DEFAULT_APPLY_TIMEOUT, applyOnce, exitCodeOf, timeoutMs, type ApplyOptions } from './apply.js';
import { printLogs } from './logs.js';

/** Registers `up`. */
export const registerUp = (program: Command): void => {
  program
    .command('up')
    .description('apply the manifest, then follow every unit\'s logs; Ctrl-C stops the project')
    .argument('[file]', 'manifest file', 'sandbox.yaml')
    .option('--no-prune', 'keep units an earlier apply created that the manifest no longer declares')
    .option('--timeout <duration>', 'how long to wait for units to be ready', DEFAULT_APPLY_TIMEOUT)
    .option('-t, --timestamps', 'show when sbx read each line')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (file: string, options: ApplyOptions & { timestamps?: boolean }) => {
      timeoutMs(options.timeout);
      const project = resolveProject(file, options);
      const client = await connect(project, { requireManifest: true });
      const outcome = await applyOnce(client, project, options);
      process.exitCode = exitCodeOf(outcome);
      const units = (await withApiErrors(() => client.status())).units.map((unit) => unit.name);
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        process.stderr.write('\nstopping the project (Ctrl-C again does not skip the graceful stop)…\n');
        const health = await client.health();
        const result = await withApiErrors(() => client.shutdown({ stop_units: true }));
        await waitForDaemonExit(health.pid);
        process.stderr.write(`✔ ${result.stopped_units.length} units stopped\n`);
        process.exit(process.exitCode ?? 0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      await printLogs(client, units, { stream: 'combined', tail: 20 }, { follow: true, timestamps: Boolean(options.timestamps) }).catch((error: unknown) => {
        if (!stopping) throw error;
      });
      await new Promise<never>(() => undefined);
    });
};
