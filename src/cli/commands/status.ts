// `sbx status` / `sbx ps`: one row per unit (and overlay) with status, pid, port, restarts, health and why it waits.

import type { Command } from 'commander';
import type { StatusView, UnitStatusView } from '../../daemon/api-types.js';
import { connectIfRunning, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';
import { renderStatus } from '../render-status.js';
import type { StatusRow } from '../status-row.js';
import { shouldUseColor } from '../style.js';

/** A table row from the API's unit view. */
export const rowOfUnit = (unit: UnitStatusView, now: number): StatusRow => {
  const alive = unit.started_at !== null && ['installing', 'starting', 'running', 'ready', 'stopping'].includes(unit.phase);
  const note = unit.hold ? `${unit.hold.reason}: ${unit.hold.on.length > 0 ? unit.hold.on.join(', ') : unit.hold.message}` : unit.last_error;
  return {
    name: unit.name,
    kind: unit.kind,
    status: unit.phase,
    pid: unit.pid,
    port: unit.port,
    restarts: unit.restart_count,
    health: unit.health_status,
    age_ms: alive && unit.started_at !== null ? Math.max(0, now - unit.started_at) : null,
    note: ['ready', 'running', 'starting', 'installing'].includes(unit.phase) && !unit.hold ? null : note,
    command: null,
    desired: true,
  };
};

/** Every row of the project's status view. */
export const rowsOfStatus = (status: StatusView, now: number): StatusRow[] => [
  ...status.overlays.map(
    (overlay): StatusRow => ({
      name: overlay.name,
      kind: 'overlay',
      status: overlay.status,
      pid: null,
      port: null,
      restarts: 0,
      health: null,
      age_ms: null,
      note: overlay.error,
      command: null,
      desired: true,
    }),
  ),
  ...status.units.map((unit) => rowOfUnit(unit, now)),
];

/** Registers `status` (alias `ps`). */
export const registerStatus = (program: Command): void => {
  program
    .command('status')
    .alias('ps')
    .description('show every unit: status, pid, port, restarts, health, and what it waits on')
    .option('-f, --file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .option('--wide', 'never shorten notes')
    .option('--json', 'print the status as JSON')
    .action(async (options: ProjectOptions & { json?: boolean; wide?: boolean }) => {
      const project = resolveProject(undefined, options);
      const client = await connectIfRunning(project);
      if (!client) {
        if (options.json) process.stdout.write(`${JSON.stringify({ running: false, units: [], overlays: [] })}\n`);
        else process.stdout.write('no daemon is running for this project: nothing runs (start it with `sbx apply`)\n');
        return;
      }
      const status = await withApiErrors(() => client.status());
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ running: true, ...status }, null, 2)}\n`);
        return;
      }
      const out = process.stdout;
      out.write(renderStatus(rowsOfStatus(status, Date.now()), { color: shouldUseColor(out), wide: Boolean(options.wide), ...(out.columns ? { columns: out.columns } : {}) }));
    });
};
