// Env files: which ones a manifest names, and reading one into variables that remember their line.

import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import type { EnvFileRef } from './types.js';
import type { EnvLayer } from './merge-env.js';
import type { RawEnvFiles } from './raw-manifest.js';
import { formatPath, type Locate, type Path } from './source-path.js';

/** Reads a file's text; `missing` distinguishes "not there" from "there but unreadable". The only I/O, injected. */
export type ReadFile = (absolutePath: string) => Result<string, { missing: boolean; message: string }>;

/** One env file as declared: path as written, whether it must exist, and where it is declared. */
export interface EnvFileEntry {
  path: string;
  required: boolean;
  at: Path;
}

/** Normalises `env_file` (a path, or a list of paths and { path, required }) to entries in order. */
export const envFileEntries = (raw: RawEnvFiles | undefined, at: Path): EnvFileEntry[] => {
  if (raw === undefined) return [];
  if (typeof raw === 'string') return [{ path: raw, required: true, at }];
  return raw.map((entry, index) =>
    typeof entry === 'string'
      ? { path: entry, required: true, at: [...at, index] }
      : { path: entry.path, required: entry.required ?? true, at: [...at, index, 'path'] },
  );
};

/** Parses dotenv text with dotenv's own rules, and finds the line each variable's winning assignment is on. */
export const parseEnvFile = (content: string): Record<string, { value: string; line: number }> => {
  const values = parse(content);
  const lines = content.split(/\r?\n/);
  const out: Record<string, { value: string; line: number }> = {};
  for (const [name, value] of Object.entries(values)) {
    const assignment = new RegExp(`^\\s*(?:export\\s+)?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[=:]`);
    let line = 0;
    lines.forEach((text, index) => {
      if (assignment.test(text)) line = index + 1;
    });
    out[name] = { value, line: Math.max(1, line) };
  }
  return out;
};

/** The env files of one scope (project or unit), read in order into layers plus their digests. */
export interface ReadEnvFiles {
  layers: EnvLayer[];
  refs: EnvFileRef[];
}

/** Reads each entry relative to `dir`; a missing required file, or an unreadable one, is an error at its declaration. */
export const readEnvFiles = (entries: EnvFileEntry[], dir: string, read: ReadFile, locate: Locate): Result<ReadEnvFiles, Diagnostic[]> => {
  const layers: EnvLayer[] = [];
  const refs: EnvFileRef[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const entry of entries) {
    const path = resolve(dir, entry.path);
    const result = read(path);
    if (result.ok) {
      refs.push({ path, required: entry.required, sha256: createHash('sha256').update(result.value).digest('hex') });
      const vars = parseEnvFile(result.value);
      layers.push(Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, { value: v.value, source: { kind: 'env-file', file: path, line: v.line } }])));
    } else if (result.error.missing && !entry.required) {
      refs.push({ path, required: false, sha256: null });
    } else {
      const location = locate(entry.at);
      diagnostics.push({
        severity: 'error',
        code: result.error.missing ? 'env-file-missing' : 'env-file-unreadable',
        message: result.error.missing ? `env file ${entry.path} not found (looked for ${path})` : `env file ${entry.path} cannot be read: ${result.error.message}`,
        field: formatPath(entry.at),
        ...(location ? { location } : {}),
        ...(result.error.missing ? { hint: `create it, or mark it optional: { path: ${entry.path}, required: false }` } : {}),
      });
    }
  }
  return diagnostics.length > 0 ? err(diagnostics) : ok({ layers, refs });
};
