// What the engine knows and says: observed state, plans with reasons, holds, events. Pure data.

import type { DesiredState, UnitSpec, OverlaySpec } from '../manifest/types.js';
import type { HealthState } from '../runtime/prober.js';
import type { OverlayResult } from '../runtime/overlay-copier.js';

/** Lifecycle of a unit (spec §3). */
export type UnitPhase =
  | 'pending'
  | 'installing'
  | 'starting'
  | 'running'
  | 'ready'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'backoff';

/** Who put a unit into the desired state: an apply of the manifest, or an API call (never pruned by apply). */
export type UnitOwner = 'manifest' | 'api';

/** One unit as the engine wants it: the spec, whether it should run, and who owns it. */
export interface DesiredUnit {
  spec: UnitSpec;
  /** False after an imperative stop: keep the config, do not run it. */
  enabled: boolean;
  owner: UnitOwner;
  /** Set when the unit is to be deleted (stopped, dependents first, then forgotten); the text is the reason. */
  removal?: string | null;
  /** Set by an imperative restart; cleared when the engine carries it out. */
  restart_requested?: boolean;
}

/** The engine's whole desired state (manifest units plus API-created units). */
export interface DesiredModel {
  project: string;
  units: Record<string, DesiredUnit>;
  overlays: Record<string, OverlaySpec>;
}

/** The last exit of a unit's leader process. */
export interface ExitRecord {
  code: number | null;
  signal: string | null;
  /** False when the exit happened while the daemon was down (status unknown). */
  known: boolean;
  at: number;
}

/** What a run was started with, so the planner can say what changed ("env DB_URL changed") and what it followed. */
export interface StartRecord {
  /** The spec the run was started with (the last update in place included). */
  spec: UnitSpec;
  /** Digest of each overlay the unit needs, as copied when the run started. */
  overlays: Record<string, string | null>;
  /** Resolved `${units.X.port|url}` references, by token. */
  refs: Record<string, string>;
  /** run_id of each unit it needs, when the run started (drives `needs: [{ restart: true }]`). */
  needs: Record<string, string | null>;
}

/** What the supervisor knows of one unit. */
export interface ObservedUnit {
  name: string;
  phase: UnitPhase;
  /** Fingerprint the current (or last) run was started with. */
  fingerprint: string | null;
  pid: number | null;
  /** (pid, start time, tag) identify a run across daemon restarts. */
  start_time: number | null;
  run_id: string | null;
  cgroup: string | null;
  port: number | null;
  /** Restarts performed so far (seed `restart_count`). */
  restart_count: number;
  /** Consecutive crashes since the unit last stayed up for the stable period; drives the backoff. */
  crash_streak: number;
  last_exit: ExitRecord | null;
  started_at: number | null;
  ready_at: number | null;
  /** When the unit may be restarted (phase backoff). */
  backoff_until: number | null;
  /** Human reason for a failure or hold. */
  last_error: string | null;
  health: HealthState | null;
  /** The run's process tag (with pid and start_time, what re-adoption checks). */
  tag?: string | null;
  /** What the current (or last) run was started with; null before the first start. */
  started?: StartRecord | null;
  /** True when the run ended on its own and the restart policy keeps it down (no restart until asked or changed). */
  stay_down?: boolean;
}

/** An overlay's observed copy state. */
export interface ObservedOverlay {
  name: string;
  status: OverlayResult['status'];
  stats: OverlayResult['stats'];
  /** Digest of the source as last copied. */
  digest: string | null;
  error: string | null;
  /** Digest of the source as last measured (differs from `digest` when the source changed since the copy). */
  source_digest?: string | null;
  /** The overlay settings the copy was made with (see overlaySpecKey); a change re-syncs. */
  spec_key?: string | null;
}

/** Everything observed, keyed by name. */
export interface ObservedState {
  units: Record<string, ObservedUnit>;
  overlays: Record<string, ObservedOverlay>;
}

/** Why a unit is not acted on now (kebab-case, shown by status and `sbx why`). */
export type HoldReason =
  | 'waiting-for-needs'
  | 'dependency-failed'
  | 'backoff'
  | 'waiting-for-overlay'
  | 'stopping-dependents'
  | 'disabled'
  | 'gave-up'
  | 'exited';

/** A unit the plan does not act on, with the reason and what it waits on. */
export interface Hold {
  unit: string;
  reason: HoldReason;
  /** Names of the units or overlays it is waiting on. */
  on: string[];
  message: string;
  /** True when the hold will not clear by itself: it needs a user action or a config change. */
  terminal?: boolean;
  /** Whether `unit` names a unit (default) or an overlay. */
  kind?: 'unit' | 'overlay';
}

/** One step the reconciler may take now; `reason` is for humans ("args changed", "env file .env changed"). */
export type Action =
  | { type: 'start'; unit: string; reason: string; /** The restart policy's retry after a crash (counts toward max_restarts). */ retry?: boolean }
  | { type: 'restart'; unit: string; reason: string }
  | { type: 'update'; unit: string; reason: string }
  | { type: 'stop'; unit: string; reason: string }
  | { type: 'delete'; unit: string; reason: string }
  | { type: 'sync-overlay'; overlay: string; reason: string };

/** The planner's answer: actions eligible now, a hold for every unit not acted on, and when to look again. */
export interface Plan {
  actions: Action[];
  holds: Hold[];
  /** Absolute time (ms) to run the next pass even if nothing happens, or null. */
  recheckAt: number | null;
}

/** Something that happened, for the CLI, the API's event stream and the daemon log. Never carries env values. */
export type EngineEvent =
  | { type: 'plan'; at: number; plan: Plan }
  | { type: 'unit-phase'; at: number; unit: string; phase: UnitPhase; reason?: string }
  | { type: 'unit-exited'; at: number; unit: string; code: number | null; signal: string | null }
  | { type: 'unit-health'; at: number; unit: string; health: HealthState }
  | { type: 'overlay'; at: number; overlay: string; status: ObservedOverlay['status'] }
  | { type: 'action'; at: number; action: Action; outcome: 'done' | 'failed'; error?: string }
  | { type: 'unit-removed'; at: number; unit: string; reason: string }
  | { type: 'converged'; at: number; ready: string[]; failed: string[] };

/** The engine as the daemon's API sees it. */
export interface Engine {
  /** Replaces the manifest-owned units with `desired`; prunes units an earlier apply created unless prune is false. */
  apply(desired: DesiredState, options: { prune: boolean }): Promise<Plan>;
  /** What apply would do now, without doing it. */
  plan(desired: DesiredState, options: { prune: boolean }): Plan;
  /** Creates or replaces one unit from the API (owner 'api' unless it already belongs to the manifest). */
  upsert(spec: UnitSpec, options?: { enabled?: boolean }): void;
  /**
   * Enables a unit (and, through needs, what it waits on); resolves once it is ready, failed or held for good, or after
   * `timeoutMs` (default START_WAIT_MS) with it still on its way.
   */
  start(name: string, timeoutMs?: number): Promise<void>;
  /** Disables a unit and stops it (dependents first); resolves once its processes are gone. */
  stop(name: string): Promise<void>;
  /** Stops and starts a unit again; resolves as start does. */
  restart(name: string, timeoutMs?: number): Promise<void>;
  /** Stops a unit and removes its definition. */
  remove(name: string): Promise<void>;
  /**
   * The desired model and what is observed; `busy` (optional) is true while a pass or an action is under way or the
   * last pass planned actions: the observed state is about to change without any new trigger.
   */
  snapshot(): { desired: DesiredModel; observed: ObservedState; holds: Hold[]; busy?: boolean };
  /** Subscribes to events; returns an unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;
  /** Stops every unit in reverse dependency order (for `down`); keeps definitions unless clear. */
  stopAll(options: { clear: boolean }): Promise<void>;
}
