// Daemon-wide routes: health (liveness), status (every unit), events (NDJSON stream), shutdown (`sbx down`).

import type { EngineEvent } from '../../engine/types.js';
import type { HealthView, ShutdownResult, StatusView } from '../api-types.js';
import { openNdjson } from '../ndjson-writer.js';
import type { ApiContext, RouteDef } from '../route.js';
import { toStatusView } from '../views.js';

const LIVE_PHASES = new Set(['installing', 'starting', 'running', 'ready', 'backoff', 'stopping']);

/** Route table entries for the daemon itself. */
export const systemRoutes = (ctx: ApiContext): RouteDef[] => [
  {
    method: 'GET',
    url: '/v1/health',
    handler: async (): Promise<HealthView> => ({
      ok: true,
      pid: process.pid,
      project: ctx.deps.engine.snapshot().desired.project,
      state_dir: ctx.paths.stateDir,
      manifest_path: ctx.paths.manifestPath,
      socket: ctx.paths.socketPath,
      uptime_ms: ctx.now() - ctx.startedAt,
    }),
  },
  {
    method: 'GET',
    url: '/v1/status',
    handler: async (): Promise<StatusView> => toStatusView(ctx.deps.engine.snapshot()),
  },
  {
    method: 'GET',
    url: '/v1/events',
    handler: async (_request, reply) => {
      let write: (event: EngineEvent) => void = () => undefined;
      const unsubscribe = ctx.deps.engine.subscribe((event) => write(event));
      const out = openNdjson(reply, ctx.logger);
      write = (event) => {
        if (!out.write(event)) unsubscribe();
      };
      await out.closed;
      unsubscribe();
      return undefined;
    },
  },
  {
    method: 'POST',
    url: '/v1/shutdown',
    schema: {
      body: { type: 'object', additionalProperties: false, properties: { stop_units: { type: 'boolean' } } },
    },
    handler: async (request, reply): Promise<ShutdownResult> => {
      const { stop_units: stopUnits = false } = (request.body ?? {}) as { stop_units?: boolean };
      const observed = ctx.deps.engine.snapshot().observed.units;
      const live = Object.values(observed)
        .filter((u) => LIVE_PHASES.has(u.phase))
        .map((u) => u.name)
        .sort();
      if (stopUnits) {
        ctx.logger.info({ units: live.length }, 'shutdown: stopping every unit');
        await ctx.deps.engine.stopAll({ clear: false });
        await ctx.persist();
      }
      reply.raw.once('close', () => ctx.requestExit());
      return { stopping: true, stopped_units: stopUnits ? live : [] };
    },
  },
];
