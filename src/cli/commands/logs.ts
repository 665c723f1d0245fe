// `sbx logs [UNIT...] [-f] [--stream] [--tail N] [-t]`: stored output of units, prefixed per unit, optionally followed.

import type { Command } from 'commander';
import type { ApiClient } from '../../daemon/api-client.js';
import { DEFAULT_LOG_TAIL } from '../../daemon/routes/logs.js';
import type { LogView } from '../../runtime/log-store.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { connectIfRunning, resolveProject, withApiErrors, type ProjectOptions } from '../project.js';
import { logPrefixWidth, renderLogLine } from '../render-logs.js';
import { shouldUseColor } from '../style.js';

const STREAMS: readonly LogView[] = ['stdout', 'stderr', 'combined'];

/** Options of `logs`. */
export interface LogsCommandOptions extends ProjectOptions {
  follow?: boolean;
  stream: string;
  tail?: string;
  timestamps?: boolean;
}

/** Validates --stream and --tail. */
export const parseLogOptions = (options: LogsCommandOptions): { stream: LogView; tail?: number } => {
  if (!STREAMS.includes(options.stream as LogView)) {
    throw new CliError(`--stream expects one of ${STREAMS.join(', ')}, got ${JSON.stringify(options.stream)}`, EXIT_USAGE);
  }
  if (options.tail === undefined) return { stream: options.stream as LogView };
  const tail = Number(options.tail);
  if (!Number.isInteger(tail) || tail < 0) throw new CliError(`--tail expects a whole number, got ${JSON.stringify(options.tail)}`, EXIT_USAGE);
  return { stream: options.stream as LogView, tail };
};

/**
 * Prints (and with follow, keeps printing) the logs of `units` until interrupted. `bare` prints each line's text as
 * stored (pipe-friendly: `sbx logs api > api.log`); otherwise each line gets its unit, its stream (`|` or `!`) and,
 * with timestamps, when sbx read it.
 */
export const printLogs = async (
  client: ApiClient,
  units: string[],
  query: { stream: LogView; tail?: number },
  { follow, timestamps, bare = false }: { follow: boolean; timestamps: boolean; bare?: boolean },
): Promise<void> => {
  const out = process.stdout;
  const color = shouldUseColor(out);
  const prefixWidth = logPrefixWidth(units);
  // Lines printed in one event-loop turn go out in one write: a follow of a flood is then a few large writes, not a
  // write (a syscall, when stdout is a file) per line.
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    out.write(pending.join(''));
    pending = [];
  };
  const print = (unit: string, line: { ts: number; stream: 'stdout' | 'stderr'; text: string }): void => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(bare ? `${line.text}\n` : `${renderLogLine(unit, line, { color, prefixWidth, timestamps })}\n`);
  };
  if (!follow) {
    for (const unit of units) {
      const { lines } = await withApiErrors(() => client.unitLogLines(unit, query));
      for (const line of lines) print(unit, line);
      flush();
    }
    return;
  }
  await Promise.all(
    units.map(async (unit) => {
      const stream = await withApiErrors(() => client.followUnitLogs(unit, query));
      for await (const line of stream) print(unit, line);
    }),
  );
};

/** Registers `logs`. */
export const registerLogs = (program: Command): void => {
  program
    .command('logs')
    .description('print units\' stored output (all units when none is named); `a | text` is stdout, `a ! text` stderr')
    .argument('[units...]', 'unit names (default: every unit)')
    .option('-f, --follow', 'keep printing new lines (after the stored ones: the last 10,000 unless --tail says)')
    .option('--stream <stream>', 'stdout, stderr or combined', 'combined')
    .option('-n, --tail <n>', 'only the last N lines of each unit')
    .option('-t, --timestamps', 'show when sbx read each line (ISO 8601, UTC)')
    .option('--file <file>', 'manifest file (finds the project)', 'sandbox.yaml')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (units: string[], options: LogsCommandOptions) => {
      // Like `docker compose logs -f`: what is stored first (up to the API's default answer), then every new line.
      const parsed = parseLogOptions(options);
      const query = options.follow && parsed.tail === undefined ? { ...parsed, tail: DEFAULT_LOG_TAIL } : parsed;
      const client = await connectIfRunning(resolveProject(undefined, options));
      if (!client) throw new CliError('no daemon is running for this project (start it with `sbx apply`)', EXIT_USAGE);
      const names = units.length > 0 ? units : (await withApiErrors(() => client.status())).units.map((u) => u.name);
      const follow = Boolean(options.follow);
      const timestamps = Boolean(options.timestamps);
      // Exactly one unit named, not followed, no timestamps: its text as stored.
      await printLogs(client, names, query, { follow, timestamps, bare: units.length === 1 && !follow && !timestamps });
    });
};
