// Kind-agnostic unit routes for the CLI (`sbx logs|start|stop|restart|delete|exec UNIT`), beside the seeds' per-kind ones.

import { current, nameParams, param, unitOfKind, type ApiContext, type RouteDef } from '../route.js';
import { toUnitStatus } from '../views.js';
import { execRoute } from './exec.js';
import { answerLogs, logsQuery } from './logs.js';

type Lifecycle = 'start' | 'stop' | 'restart';

/** `?timeout_ms=` of start and restart: how long to wait for the unit to be ready or failed (default 120 s). */
const waitQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { timeout_ms: { type: 'integer', minimum: 1, maximum: 86_400_000 } },
};

const lifecycle = (ctx: ApiContext, action: Lifecycle): RouteDef => ({
  method: 'POST',
  url: `/v1/units/:name/${action}`,
  schema: action === 'stop' ? { params: nameParams('name') } : { params: nameParams('name'), querystring: waitQuery },
  handler: async (request) => {
    const name = param(request, 'name');
    unitOfKind(ctx, name, null);
    const { timeout_ms: timeoutMs } = (request.query ?? {}) as { timeout_ms?: number };
    if (action === 'stop') await ctx.deps.engine.stop(name);
    else await ctx.deps.engine[action](name, timeoutMs);
    const answer = toUnitStatus(current(ctx, name));
    await ctx.persist();
    return answer;
  },
});

/** Route table entries for any unit by name. */
export const unitRoutes = (ctx: ApiContext): RouteDef[] => [
  {
    method: 'GET',
    url: '/v1/units/:name',
    schema: { params: nameParams('name') },
    handler: async (request) => toUnitStatus(unitOfKind(ctx, param(request, 'name'), null)),
  },
  lifecycle(ctx, 'start'),
  lifecycle(ctx, 'stop'),
  lifecycle(ctx, 'restart'),
  execRoute(ctx, '/v1/units/:name/exec', null),
  {
    method: 'DELETE',
    url: '/v1/units/:name',
    schema: { params: nameParams('name') },
    handler: async (request) => {
      const name = param(request, 'name');
      unitOfKind(ctx, name, null);
      await ctx.deps.engine.remove(name);
      const answer = { name, deleted: true };
      await ctx.persist();
      return answer;
    },
  },
  {
    method: 'GET',
    url: '/v1/units/:name/logs',
    schema: { params: nameParams('name'), querystring: logsQuery },
    handler: async (request, reply) => {
      const name = param(request, 'name');
      unitOfKind(ctx, name, null);
      return answerLogs(ctx, name, request, reply);
    },
  },
];
