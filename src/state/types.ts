// What the daemon keeps on disk between runs, and the store that reads and writes it.

import type { DesiredModel, ObservedState } from '../engine/types.js';
import type { KeptValues } from './withhold-env.js';

/** Version of the state file's shape; a file with another version is kept aside, never misread. */
export const STATE_VERSION = 1;

/**
 * The whole state file: the last applied desired model (manifest and API units, with their owner and whether they
 * should run) and what was observed of every unit and overlay (pid, start time, tag, run_id, cgroup, fingerprint,
 * restart_count, crash_streak, port, phase; overlay digests and status) — what the next daemon re-adopts from.
 * On disk, env values from env files, from sbx's environment and of secret-looking names are withheld (a digest in
 * their place, src/state/withhold-env.ts); the daemon re-derives them when it loads the file. The file is 0600 in a
 * 0700 folder.
 */
export interface SavedState {
  version: typeof STATE_VERSION;
  saved_at: number;
  desired: DesiredModel;
  observed: ObservedState;
}

/** What loading found: the state (null when there is none) and, if the file was unreadable, where it was moved. */
export interface LoadedState {
  state: SavedState | null;
  corrupt: { movedTo: string; error: string } | null;
  /** Secret values only an API body gave, by digest (kept beside the state file, never in it). */
  kept?: KeptValues;
}

/** Durable storage for the daemon's state. */
export interface StateStore {
  /** Reads the saved state; a file that does not parse is renamed aside (never silently replaced) and reported. */
  load(): Promise<LoadedState>;
  /** Replaces the saved state atomically: after a crash at any point the file holds the old or the new state. */
  write(state: SavedState): Promise<void>;
  /** Moves the current file aside under `<file>.<label>-<time>` (e.g. state the engine could not adopt); returns where. */
  keepAside(label: string): Promise<string | null>;
}
