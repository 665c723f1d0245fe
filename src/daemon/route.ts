// What every route file shares: the route-table entry type, the context routes run in, and unit lookup.

import type { FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type PQueue from 'p-queue';
import type { UnitKind } from '../manifest/types.js';
import type { Logger } from '../shared/logger.js';
import type { DaemonDeps } from './deps.js';
import { notFound } from './http-error.js';
import { unitState, type UnitState } from './views.js';

/** One entry of the explicit route table; nothing is dispatched any other way. */
export interface RouteDef {
  method: HTTPMethods;
  url: string;
  schema?: FastifySchema;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Where the daemon lives. */
export interface ProjectPaths {
  stateDir: string;
  /** Folder relative paths (API bodies, apply paths) resolve against. */
  projectDir: string;
  /** The manifest `POST /v1/apply` uses when the body names none. */
  manifestPath: string | null;
  socketPath: string;
}

/** What routes run against. */
export interface ApiContext {
  deps: DaemonDeps;
  logger: Logger;
  paths: ProjectPaths;
  /** Host of the `url` servers report. */
  urlHost: string;
  startedAt: number;
  now: () => number;
  /** Serialises applies: concurrent applies end in exactly one of them, never a mix. */
  applyQueue: PQueue;
  /** Bumped by every apply that changed the desired state; an apply stream whose number is stale was superseded. */
  applyGeneration: { value: number };
  /** Tells the state saver something changed (written within its debounce window). */
  changed: () => void;
  /** Writes the state now: a mutating call answers only once what it did is on disk. */
  persist: () => Promise<void>;
  /** Closes the daemon once the current answer has gone out. */
  requestExit: () => void;
}

/** Unit names the API accepts in a path: the manifest schema's `unitName` (no slashes, dots or upper case; bounded). */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

/** Params schema for routes with one `{name}` (or `{slug}`) segment. */
export const nameParams = (key: 'name' | 'slug'): FastifySchema['params'] => ({
  type: 'object',
  required: [key],
  properties: { [key]: { type: 'string', pattern: NAME_PATTERN } },
});

const otherRoute: Record<UnitKind, string> = { service: 'servers', server: 'services' };

/** The unit `name` of the given kind, or a 404 (with a hint when it exists as the other kind). */
export const unitOfKind = (ctx: ApiContext, name: string, kind: UnitKind | null): UnitState => {
  const state = unitState(ctx.deps.engine.snapshot(), name);
  const label = kind ?? 'unit';
  if (!state) throw notFound(label, name);
  if (kind && state.desired.spec.kind !== kind) {
    throw notFound(label, name, ` (it is a ${state.desired.spec.kind}: use /v1/${otherRoute[kind]}/${name})`);
  }
  return state;
};

/** The unit's current state after an action (it must still exist). */
export const current = (ctx: ApiContext, name: string): UnitState => unitOfKind(ctx, name, null);

/** Reads a validated `{name}` / `{slug}` path parameter. */
export const param = (request: FastifyRequest, key: 'name' | 'slug'): string => (request.params as Record<string, string>)[key] ?? '';
