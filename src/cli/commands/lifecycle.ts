// `sbx start|stop|restart|delete UNIT...`: imperative changes to the same desired state apply uses.

import type { Command } from 'commander';
import type { ApiClient } from '../../daemon/api-client.js';
import type { UnitStatusView } from '../../daemon/api-types.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { DEFAULT_APPLY_TIMEOUT, timeoutMs } from './apply.js';
import { connect, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';

type Verb = 'start' | 'stop' | 'restart' | 'delete';

const DESCRIPTIONS: Record<Verb, string> = {
  start: 'start units (their needs first) and wait until they are ready or failed',
  stop: 'stop units (their dependents first); keeps their definitions',
  restart: 'stop and start units again',
  delete: 'stop units and remove their definitions',
};

const call = (client: ApiClient, verb: Verb, name: string, wait: { timeout_ms?: number }): Promise<unknown> => {
  switch (verb) {
    case 'start':
      return client.startUnit(name, wait);
    case 'stop':
      return client.stopUnit(name);
    case 'restart':
      return client.restartUnit(name, wait);
    case 'delete':
      return client.deleteUnit(name);
  }
};

const PAST: Record<Verb, string> = { start: 'started', stop: 'stopped', restart: 'restarted', delete: 'deleted' };

/** Registers start, stop, restart and delete. */
export const registerLifecycle = (program: Command): void => {
  for (const verb of ['start', 'stop', 'restart', 'delete'] as const) {
    const waits = verb === 'start' || verb === 'restart';
    const command = program
      .command(verb)
      .description(DESCRIPTIONS[verb])
      .argument('<units...>', 'unit names')
      .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
      .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
      .option('--json', 'print the units as JSON');
    if (waits) command.option('--timeout <duration>', 'how long to wait for each unit to be ready', DEFAULT_APPLY_TIMEOUT);
    command.action(async (units: string[], options: ProjectOptions & { json?: boolean; timeout?: string }) => {
      const wait = waits && options.timeout !== undefined ? { timeout_ms: timeoutMs(options.timeout) } : {};
      const client = await connect(resolveProject(undefined, options));
      const results: unknown[] = [];
      for (const name of units) {
        const result = await withApiErrors(() => call(client, verb, name, wait));
        results.push(result);
        const { phase, last_error: error, hold } = result as Partial<UnitStatusView>;
        // A start or restart that did not end with the unit ready did not do what was asked: exit 1, saying why.
        const notReady = waits && phase !== 'ready';
        if (notReady) process.exitCode = EXIT_FAILURE;
        if (!options.json) {
          process.stdout.write(`${name}: ${PAST[verb]}${phase && verb !== 'delete' ? ` (${phase})` : ''}\n`);
          const why = phase === 'failed' ? error : (hold?.message ?? `still ${phase} after ${options.timeout}`);
          if (notReady) process.stderr.write(`${name}: not ready${why ? `: ${why}` : ''}\n`);
        }
      }
      if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    });
  }
};
