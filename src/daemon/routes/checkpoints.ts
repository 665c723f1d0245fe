// Checkpoints: `POST /v1/checkpoints` records the desired state and which units run, `POST .../{name}/restore`
// converges back to it, plus list, get and delete. Files live in `.sbx/checkpoints/NAME.json`.

import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { CheckpointFileError, CheckpointStore } from '../../state/checkpoint-store.js';
import {
  CHECKPOINT_NAME_RULE,
  isCheckpointName,
  runningUnits,
  takeCheckpoint,
  type Checkpoint,
} from '../../state/checkpoint.js';
import type { CheckpointView, CreateCheckpointRequest, RestoreResult } from '../api-types.js';
import type { EngineSnapshot } from '../../engine/engine-store.js';
import { badRequest, conflict, HttpError } from '../http-error.js';
import { knownValues } from '../../state/withhold-env.js';
import { restoreWithheldEnv } from '../restore-env.js';
import { restoreOutcome } from '../restore-outcome.js';
import type { ApiContext, RouteDef } from '../route.js';

/** Folder of the checkpoint files inside the state folder. */
export const CHECKPOINTS_DIR = 'checkpoints';

/** How long a restore waits for units to settle when the body gives no `timeout_ms`. */
export const DEFAULT_RESTORE_TIMEOUT_MS = 300_000;
const MAX_TIMEOUT_MS = 86_400_000;

const createBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 256 }, overwrite: { type: 'boolean' } },
};

const nameParam = { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 256 } } };

/** The checkpoint as the API shows it (never the desired model: it holds env values). */
export const toCheckpointView = (checkpoint: Checkpoint): CheckpointView => ({
  name: checkpoint.name,
  created_at: checkpoint.created_at,
  project: checkpoint.desired.project,
  units: checkpoint.units.map(({ name, running, fingerprint, phase }) => ({ name, running, fingerprint, phase })),
});

/** A valid checkpoint name, or the 400 that says what names look like. */
const checkedName = (name: string): string => {
  if (!isCheckpointName(name)) throw badRequest(`${JSON.stringify(name.slice(0, 80))} is not a valid checkpoint name: ${CHECKPOINT_NAME_RULE}`, 'name');
  return name;
};

const nameOf = (request: FastifyRequest): string => checkedName((request.params as Record<string, string>)['name'] ?? '');

/** `timeout_ms` from the restore's optional body. */
const restoreTimeout = (body: unknown): number => {
  if (body === undefined || body === null) return DEFAULT_RESTORE_TIMEOUT_MS;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object (or absent)', 'body');
  for (const key of Object.keys(body)) if (key !== 'timeout_ms') throw badRequest(`${key} is not a known field`, key);
  const timeout = (body as { timeout_ms?: unknown }).timeout_ms;
  if (timeout === undefined) return DEFAULT_RESTORE_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 0 || timeout > MAX_TIMEOUT_MS) {
    throw badRequest(`timeout_ms must be an integer from 0 to ${MAX_TIMEOUT_MS}`, 'timeout_ms');
  }
  return timeout;
};

/** Route table entries for checkpoints. */
export const checkpointRoutes = (ctx: ApiContext): RouteDef[] => {
  const store = new CheckpointStore(join(ctx.paths.stateDir, CHECKPOINTS_DIR));

  /** The checkpoint, a 404 when there is none, a 422 when its file is unusable. */
  const load = async (name: string): Promise<Checkpoint> => {
    let checkpoint: Checkpoint | null;
    try {
      checkpoint = await store.read(name);
    } catch (error) {
      if (error instanceof CheckpointFileError) throw new HttpError(422, 'invalid-checkpoint', error.message, 'name');
      throw error;
    }
    if (!checkpoint) throw new HttpError(404, 'not-found', `no checkpoint named "${name}"`, 'name');
    return checkpoint;
  };

  /** The checkpoint with the env values its file withholds put back (from their sources, or from what units hold now). */
  const fillValues = async (checkpoint: Checkpoint): Promise<Checkpoint> => {
    const empty = { units: {}, overlays: {} };
    const filled = await restoreWithheldEnv(
      { desired: checkpoint.desired, observed: empty },
      { env: process.env, kept: knownValues(ctx.deps.engine.snapshot().desired), loadManifest: ctx.deps.loadManifest },
    );
    if (filled.missing.length > 0) ctx.logger.warn({ checkpoint: checkpoint.name, variables: filled.missing }, 'env values changed at their source since the checkpoint; those units wait for the next apply');
    return { ...checkpoint, desired: filled.state.desired };
  };

  return [
    {
      method: 'POST',
      url: '/v1/checkpoints',
      schema: { body: createBody },
      handler: async (request, reply): Promise<CheckpointView> => {
        const body = request.body as CreateCheckpointRequest;
        const name = checkedName(body.name);
        // Under the apply lock: never a half-applied manifest.
        const checkpoint = (await ctx.applyQueue.add(() => takeCheckpoint(name, ctx.deps.engine.snapshot(), ctx.now()))) as Checkpoint;
        if (!(await store.save(checkpoint, { overwrite: body.overwrite ?? false }))) {
          throw conflict(`a checkpoint named "${name}" exists; delete it first or pass overwrite: true`, 'name');
        }
        ctx.logger.info({ checkpoint: name, units: checkpoint.units.length, running: runningUnits(checkpoint).size }, 'checkpoint created');
        reply.code(201);
        return toCheckpointView(checkpoint);
      },
    },
    {
      method: 'GET',
      url: '/v1/checkpoints',
      handler: async (): Promise<CheckpointView[]> => {
        const listing = await store.list();
        for (const bad of listing.unreadable) ctx.logger.warn({ checkpoint: bad.name, reason: bad.error }, 'checkpoint file unreadable; left out of the list');
        return listing.checkpoints.map(toCheckpointView);
      },
    },
    {
      method: 'GET',
      url: '/v1/checkpoints/:name',
      schema: { params: nameParam },
      handler: async (request): Promise<CheckpointView> => toCheckpointView(await load(nameOf(request))),
    },
    {
      method: 'POST',
      url: '/v1/checkpoints/:name/restore',
      schema: { params: nameParam },
      handler: async (request): Promise<RestoreResult> => {
        const name = nameOf(request);
        const timeoutMs = restoreTimeout(request.body);
        const loaded = await load(name);
        const { engine } = ctx.deps;
        const restore = engine.restore?.bind(engine);
        if (!restore) throw new HttpError(501, 'not-supported', "this daemon's engine cannot restore checkpoints", null);
        const checkpoint = await fillValues(loaded);
        // The desired state changes under the apply lock (an apply in flight is superseded); the wait is outside it.
        const begun = (await ctx.applyQueue.add(() => {
          const before = engine.snapshot();
          const settled = restore(checkpoint.desired, runningUnits(checkpoint), { timeoutMs, reason: `not in checkpoint ${name}` });
          ctx.applyGeneration.value += 1;
          ctx.changed();
          return { before, settled };
        })) as { before: EngineSnapshot; settled: Promise<boolean> };
        const settled = await begun.settled;
        const outcome = restoreOutcome(checkpoint.units, begun.before, engine.snapshot(), { timedOut: !settled, ms: timeoutMs });
        await ctx.persist();
        ctx.logger.info(
          { checkpoint: name, started: outcome.started_services, stopped: outcome.stopped_services, failed: outcome.failed_services, timed_out: outcome.timed_out },
          'checkpoint restored',
        );
        return outcome;
      },
    },
    {
      method: 'DELETE',
      url: '/v1/checkpoints/:name',
      schema: { params: nameParam },
      handler: async (request) => {
        const name = nameOf(request);
        if (!(await store.remove(name))) throw new HttpError(404, 'not-found', `no checkpoint named "${name}"`, 'name');
        return { name, deleted: true };
      },
    },
  ];
};
