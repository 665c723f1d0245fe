// Size-based rotation by rename: the writer renames and reopens (never copytruncate, which loses lines).

import { existsSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** File name of a unit's active log; rotated generations are `output.log.1` (newest) … `output.log.<maxFiles-1>`. */
export const ACTIVE_LOG = 'output.log';

/** Rotation limits: each file stays ≤ maxFileBytes and at most maxFiles files (active included) are kept. */
export interface RotationPolicy {
  maxFileBytes: number;
  maxFiles: number;
}

/** kubelet's containerLogMaxSize × containerLogMaxFiles. */
export const DEFAULT_ROTATION: RotationPolicy = { maxFileBytes: 10 * 1024 * 1024, maxFiles: 5 };

/** Smallest file size accepted: a few whole frames must fit in one file. */
export const MIN_LOG_FILE_BYTES = 1024 * 1024;

/** Checks a policy; throws naming the bad field. */
export const checkRotation = (policy: RotationPolicy): RotationPolicy => {
  if (!Number.isInteger(policy.maxFileBytes) || policy.maxFileBytes < MIN_LOG_FILE_BYTES) {
    throw new Error(`log rotation: maxFileBytes must be an integer ≥ ${MIN_LOG_FILE_BYTES}, got ${policy.maxFileBytes}`);
  }
  if (!Number.isInteger(policy.maxFiles) || policy.maxFiles < 1) {
    throw new Error(`log rotation: maxFiles must be an integer ≥ 1, got ${policy.maxFiles}`);
  }
  return policy;
};

/** Paths of a unit's log files, newest (active) first. */
export const logGenerations = (unitDir: string, maxFiles: number): string[] =>
  Array.from({ length: maxFiles }, (_, i) => join(unitDir, i === 0 ? ACTIVE_LOG : `${ACTIVE_LOG}.${i}`));

/** Shifts every generation one step older and drops the oldest; the caller then opens a fresh active file. */
export const rotateFiles = (unitDir: string, maxFiles: number): void => {
  const files = logGenerations(unitDir, maxFiles);
  const oldest = files[files.length - 1] as string;
  if (existsSync(oldest)) unlinkSync(oldest);
  for (let i = files.length - 2; i >= 0; i--) {
    const from = files[i] as string;
    if (existsSync(from)) renameSync(from, files[i + 1] as string);
  }
};
