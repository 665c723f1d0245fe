// Where a CLI call's project lives (manifest, state folder) and how to reach its daemon.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ApiClient, ApiError } from '../daemon/api-client.js';
import { STATE_FILE } from '../daemon/daemon.js';
import { ensureDaemon } from '../daemon/ensure-daemon.js';
import { parseSavedState } from '../state/saved-state.js';
import { renderDiagnostics } from './render-diagnostics.js';
import { isUnreadable, sourceReader } from './commands/validate.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';
import { shouldUseColor } from './style.js';

/** The manifest and state folder a command works on. */
export interface Project {
  manifestPath: string;
  stateDir: string;
}

/** Options every project command accepts. */
export interface ProjectOptions {
  file?: string;
  stateDir?: string;
}

/** Resolves FILE (default ./sandbox.yaml) and the state folder (default `.sbx/` beside it, or SBX_STATE_DIR). */
export const resolveProject = (file: string | undefined, options: ProjectOptions = {}): Project => {
  const manifestPath = resolve(file ?? options.file ?? 'sandbox.yaml');
  const stateDir = resolve(options.stateDir ?? process.env.SBX_STATE_DIR ?? join(dirname(manifestPath), '.sbx'));
  return { manifestPath, stateDir };
};

/** A client for the project's daemon, starting one if needed; with requireManifest, none is started for a missing manifest. */
export const connect = async (project: Project, { requireManifest = false }: { requireManifest?: boolean } = {}): Promise<ApiClient> => {
  if (requireManifest && !existsSync(project.manifestPath)) {
    throw new CliError(`cannot read ${project.manifestPath}: no such file (run sbx beside sandbox.yaml, or name the manifest)`, EXIT_USAGE);
  }
  try {
    return await ensureDaemon({ stateDir: project.stateDir, manifestPath: existsSync(project.manifestPath) ? project.manifestPath : null });
  } catch (error) {
    throw asCliError(error);
  }
};

/** True when the saved state records a unit with a process: it may still run after its daemon died. */
const mayHaveLiveUnits = async (stateDir: string): Promise<boolean> => {
  const text = await readFile(join(stateDir, STATE_FILE), 'utf8').catch(() => null);
  const saved = text === null ? null : parseSavedState(text);
  return saved !== null && saved.ok && Object.values(saved.value.observed.units).some((unit) => unit.pid !== null);
};

/**
 * A client for the daemon if one answers; null when none runs and none is needed (status, down, logs need not start
 * one). When the daemon died with units still running (kill -9), one is started: it re-adopts them.
 */
export const connectIfRunning = async (project: Project): Promise<ApiClient | null> => {
  try {
    const client = await ApiClient.forStateDir(project.stateDir);
    await client.health({ timeoutMs: 10_000 });
    return client;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 0)) throw asCliError(error);
    return (await mayHaveLiveUnits(project.stateDir)) ? connect(project) : null;
  }
};

/** Turns an API error into a CLI message; invalid manifests are rendered like a compiler's diagnostics. */
export const asCliError = (error: unknown): unknown => {
  if (!(error instanceof ApiError)) return error;
  const diagnostics = error.details?.diagnostics;
  if (diagnostics && diagnostics.length > 0) {
    // An unreadable manifest is an I/O error (2); an invalid one is shown once, located, like a compiler's errors.
    if (isUnreadable(diagnostics)) return new CliError(error.message, EXIT_USAGE);
    const text = renderDiagnostics(diagnostics, { cwd: process.cwd(), color: shouldUseColor(process.stderr), readSource: sourceReader() });
    return new CliError(`the manifest is invalid; nothing was changed\n${text.trimEnd()}`, EXIT_FAILURE);
  }
  if (error.status === 0) return new CliError(error.message, EXIT_USAGE);
  if (error.status === 404 || error.status === 400 || error.status === 409 || error.status === 422) {
    return new CliError(error.field ? `${error.message} (field ${error.field})` : error.message, EXIT_FAILURE);
  }
  return new CliError(`${error.message} [${error.code}]`, EXIT_FAILURE);
};

/** Runs an action and maps API errors to CLI errors. */
export const withApiErrors = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw asCliError(error);
  }
};
