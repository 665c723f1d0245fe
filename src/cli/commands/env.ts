// `sbx env UNIT [FILE]`: a unit's resolved environment, each variable with where its value came from.

import type { Command } from 'commander';
import { loadManifest } from '../../manifest/load.js';
import type { EnvSource, EnvVar } from '../../manifest/types.js';
import { didYouMean } from '../../shared/suggest.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../exit-codes.js';
import { displayPath, renderDiagnostics } from '../render-diagnostics.js';
import { isUnreadable, sourceReader } from './validate.js';

const MASK = '***';

/** Where a value came from, as a person reads it. */
export const describeSource = (source: EnvSource, cwd: string): string => {
  switch (source.kind) {
    case 'env-file':
      return `${displayPath(source.file, cwd)}:${source.line}`;
    case 'manifest':
      return source.location ? `${displayPath(source.location.file, cwd)}:${source.location.line} (${source.key})` : source.key;
    case 'sbx-environment':
      return "sbx's environment";
    case 'injected':
      return `set by sbx (${source.key})`;
  }
};

/** `NAME=value` with the value quoted when it would be ambiguous on one line. */
const assignment = (name: string, value: string): string => `${name}=${value === MASK || /^[\w@%+=:,./~-]*$/.test(value) ? value : JSON.stringify(value)}`;

/** Declared variables first, then those inherited from sbx's environment; alphabetical within each. */
const ordered = (env: Record<string, EnvVar>): [string, EnvVar][] =>
  Object.entries(env).sort(([a, x], [b, y]) => {
    const inherited = Number(x.source.kind === 'sbx-environment') - Number(y.source.kind === 'sbx-environment');
    return inherited || (a < b ? -1 : a > b ? 1 : 0);
  });

/** Registers `env`. */
export const registerEnv = (program: Command): void => {
  program
    .command('env')
    .description("show a unit's resolved environment and where each variable comes from")
    .argument('<unit>', 'unit name')
    .argument('[file]', 'manifest file', 'sandbox.yaml')
    .option('--show-secrets', 'print values from env files and of secret-looking names (KEY, TOKEN, PASSWORD, ...) instead of ***')
    .option('--json', 'print the environment as JSON')
    .action(async (unitName: string, file: string, options: { showSecrets?: boolean; json?: boolean }) => {
      const cwd = process.cwd();
      const result = await loadManifest(file);
      if (!result.ok) {
        const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
        process.stderr.write(renderDiagnostics(result.error, { cwd, color, readSource: sourceReader() }));
        process.exitCode = isUnreadable(result.error) ? EXIT_USAGE : EXIT_FAILURE;
        return;
      }
      const unit = result.value.units[unitName];
      if (!unit) {
        const hint = didYouMean(unitName, Object.keys(result.value.units));
        throw new CliError(`no unit named \`${unitName}\` in ${displayPath(file, cwd)}${hint ? `; ${hint}` : ''}`, EXIT_USAGE);
      }
      const shown = (v: EnvVar): string => ((v.secret || v.source.kind === 'env-file') && !options.showSecrets ? MASK : v.value);
      if (options.json) {
        const env = Object.fromEntries(ordered(unit.env).map(([name, v]) => [name, { value: shown(v), secret: v.secret, source: v.source }]));
        process.stdout.write(`${JSON.stringify({ unit: unit.name, kind: unit.kind, env }, null, 2)}\n`);
        return;
      }
      const rows = ordered(unit.env).map(([name, v]) => ({ text: assignment(name, shown(v)), source: describeSource(v.source, cwd) }));
      const width = Math.min(48, Math.max(0, ...rows.map((r) => r.text.length)));
      process.stdout.write(`# ${unit.name} (${unit.kind}): ${rows.length} variables\n`);
      for (const row of rows) process.stdout.write(`${row.text.padEnd(width)}  # ${row.source}\n`);
    });
};
