// One `POST /v1/apply`: load (422 if invalid, nothing changes), apply under the apply lock, then stream the plan,
// the engine's events and a final result once every unit is ready or failed, the timeout passes, or a later apply wins.

import { isAbsolute, resolve } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { EngineEvent, Plan } from '../engine/types.js';
import type { DesiredState } from '../manifest/types.js';
import type { ApplyMessage, ApplyRequest, PlanView } from './api-types.js';
import { convergence } from './convergence.js';
import { badRequest, invalidManifest } from './http-error.js';
import { openNdjson } from './ndjson-writer.js';
import type { ApiContext } from './route.js';

/** How long an apply answer waits for convergence when the request gives no `timeout_ms`. */
export const DEFAULT_APPLY_TIMEOUT_MS = 300_000;

/** How often an apply in progress re-checks convergence besides on every engine event. */
const SETTLE_POLL_MS = 100;

/** Where a manifest given inline in a request is taken to live when the request names no path. */
export const INLINE_MANIFEST_NAME = 'sandbox.yaml';

/** The manifest an apply or plan request is about (relative paths against the project folder). */
export const manifestPathOf = (ctx: ApiContext, body: ApplyRequest): string => {
  const path = body.path ?? ctx.paths.manifestPath ?? (body.manifest !== undefined ? INLINE_MANIFEST_NAME : null);
  if (!path) throw badRequest('path is required (this daemon was started without a manifest)', 'path');
  return isAbsolute(path) ? path : resolve(ctx.paths.projectDir, path);
};

/** Loads the manifest (the request's inline text, else the file) or throws the 422 with its located diagnostics. */
export const loadDesired = async (ctx: ApiContext, path: string, text?: string): Promise<DesiredState> => {
  const loaded = await ctx.deps.loadManifest(path, text !== undefined ? { text } : {});
  if (!loaded.ok) throw invalidManifest(loaded.error);
  return loaded.value;
};

/** What applying `desired` would do now, changing nothing (overlay sources measured when the engine can). */
export const previewPlan = (ctx: ApiContext, desired: DesiredState, prune: boolean): Promise<Plan> => {
  const { engine } = ctx.deps;
  return engine.preview ? engine.preview(desired, { prune }) : Promise.resolve(engine.plan(desired, { prune }));
};

/** The plan as the API shows it. */
export const toPlanView = (desired: DesiredState, path: string, plan: Plan): PlanView => ({
  project: desired.project,
  manifest_path: path,
  actions: plan.actions,
  holds: plan.holds,
  in_sync: plan.actions.length === 0,
  ...(desired.warnings && desired.warnings.length > 0 ? { warnings: desired.warnings } : {}),
});

type Result = Extract<ApplyMessage, { type: 'result' }>;

interface Applied {
  desired: DesiredState;
  plan: Plan;
  /** The apply's generation, or null for a dry run. */
  generation: number | null;
  buffered: EngineEvent[];
  /** Redirects the engine's events (buffered until the stream is open). */
  route: (sink: (event: EngineEvent) => void) => void;
  unsubscribe: () => void;
}

/** Under the apply lock: load, then apply (or only plan, for a dry run). Throws HttpErrors before any answer is sent. */
const applyLocked = async (ctx: ApiContext, path: string, body: ApplyRequest): Promise<Applied> => {
  const { engine } = ctx.deps;
  const prune = body.prune ?? true;
  const desired = await loadDesired(ctx, path, body.manifest);
  const buffered: EngineEvent[] = [];
  if (body.dry_run) {
    return { desired, plan: await previewPlan(ctx, desired, prune), generation: null, buffered, route: () => undefined, unsubscribe: () => undefined };
  }
  let sink: ((event: EngineEvent) => void) | null = null;
  const unsubscribe = engine.subscribe((event) => (sink ? sink(event) : buffered.push(event)));
  try {
    const plan = await engine.apply(desired, { prune });
    ctx.applyGeneration.value += 1;
    ctx.changed();
    return { desired, plan, generation: ctx.applyGeneration.value, buffered, route: (s) => (sink = s), unsubscribe };
  } catch (error) {
    unsubscribe();
    throw error;
  }
};

/** Runs an apply request and answers it as NDJSON. */
export const streamApply = async (ctx: ApiContext, body: ApplyRequest, reply: FastifyReply): Promise<void> => {
  const path = manifestPathOf(ctx, body);
  const applied = (await ctx.applyQueue.add(() => applyLocked(ctx, path, body))) as Applied;
  const out = openNdjson(reply, ctx.logger);
  out.write({ type: 'plan', ...toPlanView(applied.desired, path, applied.plan) } satisfies ApplyMessage);
  const base: Result = { type: 'result', ready: [], failed: [], stopped: [], pending: [], timed_out: false, superseded: false, dry_run: false };
  if (applied.generation === null) {
    out.end({ ...base, dry_run: true } satisfies ApplyMessage);
    return;
  }
  const names = Object.keys(applied.desired.units);
  await new Promise<void>((done) => {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    // The engine may go idle without an event (its last action done, the pass after it planned nothing): look again.
    const poll = setInterval(() => check(null), SETTLE_POLL_MS);
    const finish = (patch: Partial<Result>): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(poll);
      applied.unsubscribe();
      const c = convergence(ctx.deps.engine.snapshot(), names);
      // The result goes out once the state it reports is on disk.
      void ctx.persist().then(() => {
        out.end({ ...base, ready: c.ready, failed: c.failed, stopped: c.stopped, pending: c.pending, ...patch } satisfies ApplyMessage);
        done();
      });
    };
    const check = (event: EngineEvent | null): void => {
      if (ctx.applyGeneration.value !== applied.generation) return finish({ superseded: true });
      if (event?.type === 'converged' || convergence(ctx.deps.engine.snapshot(), names).settled) finish({});
    };
    const sink = (event: EngineEvent): void => {
      if (finished) return;
      out.write({ type: 'event', event } satisfies ApplyMessage);
      check(event);
    };
    for (const event of applied.buffered.splice(0)) sink(event);
    applied.route(sink);
    check(null);
    timer = setTimeout(() => finish({ timed_out: true }), body.timeout_ms ?? DEFAULT_APPLY_TIMEOUT_MS);
    void out.closed.then(() => finish({}));
  });
};
