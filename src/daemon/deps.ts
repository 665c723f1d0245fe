// The seams the daemon is built on: the engine, the manifest loader, the API unit resolver, logs and exec.
// The composition root wires the real ones; tests pass fakes.

import type { DesiredModel, Engine, ObservedState, ObservedUnit, Plan } from '../engine/types.js';
import type { DesiredState, OverlaySpec, UnitKind, UnitSpec } from '../manifest/types.js';
import type { LogStore } from '../runtime/log-store.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Result } from '../shared/result.js';
import type { ExecResult } from './api-types.js';

/** The engine plus what the daemon may use when the engine offers it. */
export interface DaemonEngine extends Engine {
  /** Takes over the runs a previous daemon saved (matching pid, start time and tag); nothing runs twice. */
  adopt?(saved: { desired: DesiredModel; observed: ObservedState }): Promise<unknown>;
  /**
   * Converges to a checkpoint's desired model in one step (`running` units enabled, the others disabled, units it
   * lacks deleted); resolves true once settled, false after timeoutMs. Without it the checkpoint restore route is 501.
   */
  restore?(model: DesiredModel, running: ReadonlySet<string>, options?: { timeoutMs?: number; reason?: string }): Promise<boolean>;
  /** As Engine.plan, with overlay sources measured first (a changed template shows); used for plans and dry runs when offered. */
  preview?(desired: DesiredState, options: { prune: boolean }): Promise<Plan>;
  /** As Engine.upsert; `overlays` carries a server's inline overlay from the API. */
  upsert(spec: UnitSpec, options?: { enabled?: boolean; overlays?: OverlaySpec[] }): void;
}

/** Loads and resolves a manifest file, or the given text as if it were that file (src/manifest/load.ts `loadManifest`). */
export type ManifestLoader = (path: string, options?: { text?: string }) => Result<DesiredState, Diagnostic[]> | Promise<Result<DesiredState, Diagnostic[]>>;

/** What the API hands the resolver for `PUT /v1/services/{name}` and `POST /v1/servers`. */
export interface ApiUnitInput {
  kind: UnitKind;
  name: string;
  /** The request body as received (not yet validated). */
  body: unknown;
  /** Folder relative paths resolve against (the project folder). */
  baseDir: string;
  /** sbx's own environment (the lowest layer of the unit's environment). */
  env: Record<string, string | undefined>;
  /** Overlays the project already has, so `needs` naming them resolve. */
  overlayNames?: Iterable<string>;
}

/** A resolved API unit: the spec and any overlays it declares inline. */
export interface ResolvedApiUnit {
  unit: UnitSpec;
  overlays: OverlaySpec[];
}

/** Validates and resolves one API unit body (src/manifest `resolveUnitFromApi`); diagnostics carry the body `field`. */
export type UnitResolver = (input: ApiUnitInput) => Result<ResolvedApiUnit, Diagnostic[]> | Promise<Result<ResolvedApiUnit, Diagnostic[]>>;

/** The part of the log store the API reads. */
export type LogReader = Pick<LogStore, 'read' | 'follow'>;

/** Runs a one-shot command for a unit (on the host, or inside its container for container units). */
export interface UnitExecutor {
  exec(spec: UnitSpec, observed: ObservedUnit | null, cmd: string[], timeoutMs: number): Promise<ExecResult>;
}

/** Everything the daemon needs from the rest of sbx. */
export interface DaemonDeps {
  engine: DaemonEngine;
  loadManifest: ManifestLoader;
  resolveUnit: UnitResolver;
  logs: LogReader;
  executor: UnitExecutor;
  /** Called when the daemon closes (stop timers, close the log store); units keep running. */
  dispose?: () => Promise<void>;
}
