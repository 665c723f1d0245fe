// `sbx apply [FILE]`: converge the project to the manifest, show progress, exit non-zero if a unit failed.
// With --watch, re-apply on every save of the manifest, its env files or overlay sources (last known good kept).

import type { Command } from 'commander';
import type { ApiClient } from '../../daemon/api-client.js';
import { loadManifest } from '../../manifest/load.js';
import type { DesiredState } from '../../manifest/types.js';
import { watchFiles } from '../../watch/file-watcher.js';
import { printApply, type ApplyOutcome } from '../apply-view.js';
import { parseDuration } from '../duration.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { connect, resolveProject, withApiErrors, type Project } from '../project.js';
import { displayPath, renderDiagnostics } from '../render-diagnostics.js';
import { shouldUseColor } from '../style.js';
import { sourceReader } from './validate.js';

/** Options of `apply` (and `up`, which applies first). */
export interface ApplyOptions {
  watch?: boolean;
  dryRun?: boolean;
  prune: boolean;
  timeout: string;
  json?: boolean;
  stateDir?: string;
}

/** Default wait for every unit to be ready or failed. */
export const DEFAULT_APPLY_TIMEOUT = '120s';

/** Parses --timeout or fails with a usage error. */
export const timeoutMs = (text: string): number => {
  const ms = parseDuration(text);
  if (ms === null) throw new CliError(`--timeout expects a duration such as 90s, 2m or 500ms, got ${JSON.stringify(text)}`, EXIT_USAGE);
  return ms;
};

/** One apply through the daemon, printed; resolves with its result. */
export const applyOnce = async (client: ApiClient, project: Project, options: ApplyOptions): Promise<ApplyOutcome> => {
  const out = process.stdout;
  const stream = await withApiErrors(() =>
    client.apply({ path: project.manifestPath, prune: options.prune, dry_run: Boolean(options.dryRun), timeout_ms: timeoutMs(options.timeout) }),
  );
  return withApiErrors(() =>
    printApply(stream, { out, color: shouldUseColor(out), live: Boolean(out.isTTY) && !options.json, json: Boolean(options.json) }),
  );
};

/** Exit code for an apply's result: 0 when everything asked for is ready (or stopped cleanly), else 1 (also when superseded). */
export const exitCodeOf = (outcome: ApplyOutcome): number =>
  outcome && outcome.failed.length === 0 && !outcome.timed_out && !outcome.superseded ? EXIT_OK : EXIT_FAILURE;

/** Registers `apply`. */
export const registerApply = (program: Command): void => {
  program
    .command('apply')
    .description('converge running units to the manifest: start, stop and restart what changed, in dependency order')
    .argument('[file]', 'manifest file', 'sandbox.yaml')
    .option('-w, --watch', 're-apply whenever the manifest, its env files or overlay sources change')
    .option('--dry-run', 'print the plan without acting')
    .option('--no-prune', 'keep units an earlier apply created that the manifest no longer declares')
    .option('--timeout <duration>', 'how long to wait for units to be ready', DEFAULT_APPLY_TIMEOUT)
    .option('--json', 'print the plan, events and result as NDJSON')
    .option('--state-dir <dir>', 'state folder (default: .sbx beside the manifest)')
    .action(async (file: string, options: ApplyOptions) => {
      timeoutMs(options.timeout);
      const project = resolveProject(file, options);
      const client = await connect(project, { requireManifest: true });
      const outcome = await applyOnce(client, project, options);
      process.exitCode = exitCodeOf(outcome);
      if (options.watch && !options.dryRun) await watchAndApply(client, project, options);
    });
};

/** Watch mode: re-load on change; a broken edit is reported and nothing changes; a valid one is applied. */
const watchAndApply = async (client: ApiClient, project: Project, options: ApplyOptions): Promise<never> => {
  const out = process.stdout;
  const err = process.stderr;
  const first = await loadManifest(project.manifestPath);
  const scope = (desired: DesiredState): [string[], string[]] => [desired.inputs, Object.values(desired.overlays).map((o) => o.source)];
  const [files, dirs] = first.ok ? scope(first.value) : [[project.manifestPath], []];
  let queue = Promise.resolve();
  const watcher = watchFiles({
    files,
    dirs,
    onChange: (changed) => {
      queue = queue.then(async () => {
        out.write(`\nchanged: ${changed.map((path) => displayPath(path, process.cwd())).join(', ')}\n`);
        const loaded = await loadManifest(project.manifestPath);
        if (!loaded.ok) {
          err.write(renderDiagnostics(loaded.error, { cwd: process.cwd(), color: shouldUseColor(err), readSource: sourceReader() }));
          err.write('the manifest is invalid: running units are left as they are (last known good)\n');
          return;
        }
        await watcher.update(...scope(loaded.value));
        try {
          const outcome = await applyOnce(client, project, options);
          process.exitCode = exitCodeOf(outcome);
        } catch (error) {
          err.write(`sbx: ${error instanceof Error ? error.message : String(error)}\n`);
        }
        out.write('watching for changes (Ctrl-C to stop watching; units keep running)\n');
      });
    },
  });
  await watcher.ready;
  out.write('watching for changes (Ctrl-C to stop watching; units keep running)\n');
  return new Promise<never>(() => undefined);
};
