// `sbx diff [FILE]`: what apply would do, unit by unit, with field-level reasons; exit 0 in sync, 1 changes, 2 error.

import type { Command } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { connect, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';
import { renderPlan } from '../render-plan.js';
import { shouldUseColor } from '../style.js';

/** Registers `diff`. */
export const registerDiff = (program: Command): void => {
  program
    .command('diff')
    .description('show what apply would change, with reasons (exit 0 in sync, 1 changes, 2 error)')
    .argument('[file]', 'manifest file', 'sandbox.yaml')
    .option('--no-prune', 'do not count removing units the manifest no longer declares')
    .option('--json', 'print the plan as JSON')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (file: string, options: ProjectOptions & { prune: boolean; json?: boolean }) => {
      const project = resolveProject(file, options);
      const client = await connect(project, { requireManifest: true });
      // 1 means "changes" here, so an invalid or unreadable manifest is an error: 2 (like `kubectl diff`).
      const plan = await withApiErrors(() => client.plan({ path: project.manifestPath, prune: options.prune })).catch((error: unknown) => {
        throw error instanceof CliError ? new CliError(error.message, EXIT_USAGE) : error;
      });
      process.exitCode = plan.in_sync ? EXIT_OK : EXIT_FAILURE;
      if (options.json) {
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        return;
      }
      process.stdout.write(renderPlan({ actions: plan.actions, holds: plan.holds, recheckAt: null }, { color: shouldUseColor(process.stdout) }));
    });
};
