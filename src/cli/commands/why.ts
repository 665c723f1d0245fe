// `sbx why UNIT`: why a unit is not ready — its hold, the dependency chain behind it, the last exit and log lines.

import type { Command } from 'commander';
import type { UnitStatusView } from '../../daemon/api-types.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../exit-codes.js';
import { connectIfRunning, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';
import { findBlockerChains, renderWhy, type WhyNode } from '../render-why.js';
import { shouldUseColor } from '../style.js';

const LOG_LINES = 8;

/** The why-node of one unit as the API shows it. */
export const whyNodeOf = (unit: UnitStatusView): WhyNode => ({
  name: unit.name,
  kind: 'unit',
  status: unit.phase,
  hold: unit.hold ? { unit: unit.name, ...unit.hold } : null,
  last_error: unit.last_error,
  last_exit:
    unit.exit_code !== null || unit.exit_signal !== null
      ? { code: unit.exit_code, signal: unit.exit_signal, known: true, at: unit.started_at ?? Date.now() }
      : null,
  ready_at: unit.ready_at,
});

/** Registers `why`. */
export const registerWhy = (program: Command): void => {
  program
    .command('why')
    .description('explain why a unit is not ready: its hold, the chain of blockers, last exit and log lines')
    .argument('<unit>', 'unit name')
    .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (unit: string, options: ProjectOptions) => {
      const client = await connectIfRunning(resolveProject(undefined, options));
      if (!client) throw new CliError('no daemon is running for this project: nothing runs (start it with `sbx apply`)', EXIT_USAGE);
      const status = await withApiErrors(() => client.status());
      const nodes: Record<string, WhyNode> = {};
      for (const u of status.units) nodes[u.name] = whyNodeOf(u);
      for (const o of status.overlays) nodes[o.name] = { name: o.name, kind: 'overlay', status: o.status, hold: null, last_error: o.error, last_exit: null };
      if (!nodes[unit]) throw new CliError(`no unit named ${JSON.stringify(unit)} (known: ${Object.keys(nodes).join(', ') || 'none'})`, EXIT_FAILURE);
      const ends = new Set([unit, ...findBlockerChains(unit, nodes).map((chain) => chain.at(-1) ?? unit)]);
      const logs: Record<string, string[]> = {};
      for (const name of ends) {
        if (nodes[name]?.kind !== 'unit') continue;
        const text = await client.unitLogs(name, { tail: LOG_LINES }).catch(() => ({ logs: '' }));
        logs[name] = text.logs.split('\n').filter((line) => line !== '');
      }
      process.stdout.write(renderWhy({ unit, nodes, logs, now: Date.now() }, { color: shouldUseColor(process.stdout) }));
    });
};
