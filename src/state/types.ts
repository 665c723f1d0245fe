// What the daemon keeps on disk between runs, and the store that reads and writes it.

import type { DesiredModel, ExitRecord, ObservedOverlay, StartRecord, UnitOwner, UnitPhase } from '../engine/types.js';

/** Version of the state file's shape; a file with another version is kept aside, never misread. */
export const STATE_VERSION = 1;

/** One unit's run as the daemon last knew it: enough to re-adopt it by (pid, start time, tag). */
export interface SavedUnit {
  name: string;
  owner: UnitOwner;
  enabled: boolean;
  phase: UnitPhase;
  pid: number | null;
  /** Field 22 of /proc/PID/stat when the run started. */
  start_time: number | null;
  run_id: string | null;
  /** The run's process tag (the third part of its identity). */
  tag: string | null;
  cgroup: string | null;
  fingerprint: string | null;
  port: number | null;
  restart_count: number;
  crash_streak: number;
  started_at: number | null;
  ready_at: number | null;
  last_exit: ExitRecord | null;
  last_error: string | null;
  /** What the run was started with (its spec holds env values: the file is private). */
  started: StartRecord | null;
  /** The run ended on its own and its restart policy keeps it down. */
  stay_down: boolean;
}

/** An overlay's last copy: its status and the digest of the source it copied. */
export interface SavedOverlay {
  name: string;
  status: ObservedOverlay['status'];
  digest: string | null;
  source_digest: string | null;
  spec_key: string | null;
  stats: ObservedOverlay['stats'];
  error: string | null;
}

/**
 * The whole state file. `desired` holds resolved env values (some secret): the file is 0600 in a 0700 folder.
 */
export interface SavedState {
  version: typeof STATE_VERSION;
  saved_at: number;
  desired: DesiredModel;
  units: Record<string, SavedUnit>;
  overlays: Record<string, SavedOverlay>;
}

/** What loading found: the state (null when there is none) and, if the file was unreadable, where it was moved. */
export interface LoadedState {
  state: SavedState | null;
  corrupt: { movedTo: string; error: string } | null;
}

/** Durable storage for the daemon's state. */
export interface StateStore {
  /** Reads the saved state; a file that does not parse is renamed aside (never silently replaced) and reported. */
  load(): Promise<LoadedState>;
  /** Replaces the saved state atomically: after a crash at any point the file holds the old or the new state. */
  write(state: SavedState): Promise<void>;
}
