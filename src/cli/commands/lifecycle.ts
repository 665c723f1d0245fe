// `sbx start|stop|restart|delete UNIT...`: imperative changes to the same desired state apply uses.

import type { Command } from 'commander';
import type { ApiClient } from '../../daemon/api-client.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { connect, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';

type Verb = 'start' | 'stop' | 'restart' | 'delete';

const DESCRIPTIONS: Record<Verb, string> = {
  start: 'start units (their needs first) and wait until they are ready or failed',
  stop: 'stop units (their dependents first); keeps their definitions',
  restart: 'stop and start units again',
  delete: 'stop units and remove their definitions',
};

const call = (client: ApiClient, verb: Verb, name: string): Promise<unknown> => {
  switch (verb) {
    case 'start':
      return client.startUnit(name);
    case 'stop':
      return client.stopUnit(name);
    case 'restart':
      return client.restartUnit(name);
    case 'delete':
      return client.deleteUnit(name);
  }
};

const PAST: Record<Verb, string> = { start: 'started', stop: 'stopped', restart: 'restarted', delete: 'deleted' };

/** Registers start, stop, restart and delete. */
export const registerLifecycle = (program: Command): void => {
  for (const verb of ['start', 'stop', 'restart', 'delete'] as const) {
    program
      .command(verb)
      .description(DESCRIPTIONS[verb])
      .argument('<units...>', 'unit names')
      .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
      .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
      .option('--json', 'print the units as JSON')
      .action(async (units: string[], options: ProjectOptions & { json?: boolean }) => {
        const client = await connect(resolveProject(undefined, options));
        const results: unknown[] = [];
        for (const name of units) {
          const result = await withApiErrors(() => call(client, verb, name));
          results.push(result);
          const { phase, last_error: reason } = result as { phase?: string; last_error?: string | null };
          // A start or restart that ends with the unit failed did not do what was asked: exit 1, with the reason.
          if ((verb === 'start' || verb === 'restart') && phase === 'failed') process.exitCode = EXIT_FAILURE;
          if (!options.json) {
            process.stdout.write(`${name}: ${PAST[verb]}${phase && verb !== 'delete' ? ` (${phase})` : ''}\n`);
            if (phase === 'failed' && reason) process.stderr.write(`${name}: ${reason}\n`);
          }
        }
        if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      });
  }
};
