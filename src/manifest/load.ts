// The loader's edge: the only place that touches the file system (manifest, env files, /etc/passwd).

import { readFileSync, statSync } from 'node:fs';
import { readFile as readFileAsync } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { resolveApiUnit, type ApiUnit, type ApiUnitRequest } from './api-unit.js';
import { envFileModeWarning } from './env-file-mode.js';
import type { ReadFile } from './env-files.js';
import { parseManifest } from './parse.js';
import { buildDesiredState } from './pipeline.js';
import type { DesiredState } from './types.js';

export interface LoadOptions {
  /** sbx's own environment; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether a Unix user exists; default: a lookup in /etc/passwd. */
  userExists?: (name: string) => boolean;
  /** Reads env files; default: the file system. */
  readFile?: ReadFile;
  /** The manifest's text when it comes from elsewhere (an API body): the path then only names it in diagnostics and anchors its relative paths. */
  text?: string;
}

/** Reads, validates and resolves a manifest file: the desired state, or every problem found (located). */
export const loadManifest = async (path: string, options: LoadOptions = {}): Promise<Result<DesiredState, Diagnostic[]>> => {
  const file = resolve(path);
  let text: string;
  try {
    text = options.text ?? (await readFileAsync(file, 'utf8'));
  } catch (error) {
    return err([{ severity: 'error', code: 'manifest-unreadable', message: `cannot read ${path}: ${describeIoError(error)}` }]);
  }
  const parsed = parseManifest(text, file);
  if (!parsed.ok) return parsed;
  const built = buildDesiredState(parsed.value, {
    env: options.env ?? process.env,
    readFile: readOncePerLoad(options.readFile ?? readFileFromDisk),
    userExists: options.userExists ?? passwdLookup(),
  });
  if (!built.ok) return built;
  const warnings = envFileWarnings(built.value.inputs.filter((input) => input !== file));
  return warnings.length > 0 ? ok({ ...built.value, warnings }) : built;
};

/** Warnings for env files that hold secrets and that other users can read. */
const envFileWarnings = (paths: string[]): Diagnostic[] => {
  const warnings: Diagnostic[] = [];
  for (const path of paths) {
    try {
      const mode = statSync(path).mode & 0o7777;
      if ((mode & 0o077) === 0) continue;
      const warning = envFileModeWarning({ path, mode, content: readFileSync(path, 'utf8') });
      if (warning) warnings.push(warning);
    } catch {
      // missing optional file, or unreadable: the loader already said what it needed to
    }
  }
  return warnings;
};

/** Validates and resolves one unit from the HTTP API (the daemon's `UnitResolver`). */
export const resolveUnitFromApi = (
  request: ApiUnitRequest & { userExists?: (name: string) => boolean; readFile?: ReadFile },
): Result<ApiUnit, Diagnostic[]> =>
  resolveApiUnit(request, { readFile: request.readFile ?? readFileFromDisk, userExists: request.userExists ?? passwdLookup() });

/** Reads a file synchronously (env files are small), telling "missing" apart from other failures. */
export const readFileFromDisk: ReadFile = (path) => {
  try {
    return ok(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return err({ missing: code === 'ENOENT' || code === 'ENOTDIR', message: describeIoError(error) });
  }
};

/** Each file is read once per load: units sharing an env file see the same content, and it is read only once. */
const readOncePerLoad = (read: ReadFile): ReadFile => {
  const seen = new Map<string, ReturnType<ReadFile>>();
  return (path) => {
    if (!seen.has(path)) seen.set(path, read(path));
    return seen.get(path)!;
  };
};

/** A user lookup over /etc/passwd, read once; when it cannot be read every user is assumed to exist. */
export const passwdLookup = (passwdPath = '/etc/passwd'): ((name: string) => boolean) => {
  let users: Set<string> | null | undefined;
  return (name) => {
    if (users === undefined) {
      try {
        users = new Set(readFileSync(passwdPath, 'utf8').split('\n').map((line) => line.split(':')[0] ?? '').filter(Boolean));
      } catch {
        users = null;
      }
    }
    return users === null || users.has(name);
  };
};

const describeIoError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
};
