// `sbx validate [FILE...]`: check manifests without touching any process (0 valid, 1 invalid, 2 unreadable).

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadManifest } from '../../manifest/load.js';
import type { Diagnostic } from '../../shared/diagnostic.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { displayPath, renderDiagnostics } from '../render-diagnostics.js';

/** One file's verdict. */
interface FileReport {
  file: string;
  valid: boolean;
  units: number;
  overlays: number;
  diagnostics: Diagnostic[];
}

/** Reads a file for quoting source lines; the CLI may read, the loader already did the checking. */
export const sourceReader = (): ((file: string) => string | undefined) => {
  const cache = new Map<string, string | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, 'utf8'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
};

/** True when a load failed because the manifest itself could not be read (an I/O error, exit 2). */
export const isUnreadable = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.code === 'manifest-unreadable');

/** Registers `validate`. */
export const registerValidate = (program: Command): void => {
  program
    .command('validate')
    .description('check manifests against the schema, env files, names and dependencies; changes nothing')
    .argument('[files...]', 'manifest files', ['sandbox.yaml'])
    .option('--json', 'print the verdict and diagnostics as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const reports: FileReport[] = [];
      for (const file of files) {
        const result = await loadManifest(file);
        reports.push(
          result.ok
            ? { file, valid: true, units: Object.keys(result.value.units).length, overlays: Object.keys(result.value.overlays).length, diagnostics: result.value.warnings ?? [] }
            : { file, valid: false, units: 0, overlays: 0, diagnostics: result.error },
        );
      }
      const unreadable = reports.some((r) => isUnreadable(r.diagnostics));
      process.exitCode = unreadable ? EXIT_USAGE : reports.every((r) => r.valid) ? EXIT_OK : EXIT_FAILURE;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ valid: reports.every((r) => r.valid), files: reports }, null, 2)}\n`);
        return;
      }
      const cwd = process.cwd();
      const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
      const readSource = sourceReader();
      for (const report of reports) {
        if (report.valid) {
          process.stderr.write(renderDiagnostics(report.diagnostics, { cwd, color, readSource }));
          process.stdout.write(`${report.file}: valid (${plural(report.units, 'unit')}, ${plural(report.overlays, 'overlay')})\n`);
          continue;
        }
        process.stderr.write(renderDiagnostics(report.diagnostics, { cwd, color, readSource }));
        const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
        process.stderr.write(`${displayPath(report.file, cwd)}: ${plural(errors, 'error')}\n${report === reports.at(-1) ? '' : '\n'}`);
      }
    });
};

/** "1 unit", "3 units". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
