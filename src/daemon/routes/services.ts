// The services seed's routes: PUT/GET/DELETE /v1/services/{name}, start, stop, exec, and the list; plus logs.

import type { ServiceView } from '../api-types.js';
import { conflict, invalidBody } from '../http-error.js';
import { current, nameParams, param, unitOfKind, type ApiContext, type RouteDef } from '../route.js';
import { toServiceView, unitState, type UnitState } from '../views.js';
import { execRoute } from './exec.js';
import { answerLogs, logsQuery } from './logs.js';

const view = (state: UnitState): ServiceView => toServiceView(state);

/** Route table entries for services. */
export const serviceRoutes = (ctx: ApiContext): RouteDef[] => [
  {
    method: 'PUT',
    url: '/v1/services/:name',
    schema: { params: nameParams('name'), body: { type: 'object' } },
    handler: async (request, reply) => {
      const name = param(request, 'name');
      const snapshot = ctx.deps.engine.snapshot();
      const existing = unitState(snapshot, name);
      if (existing && existing.desired.spec.kind !== 'service') {
        throw conflict(`"${name}" is already a ${existing.desired.spec.kind}; unit names are unique across services and servers`, 'name');
      }
      const resolved = await ctx.deps.resolveUnit({
        kind: 'service',
        name,
        body: request.body,
        baseDir: ctx.paths.projectDir,
        env: process.env,
        overlayNames: Object.keys(snapshot.desired.overlays),
      });
      if (!resolved.ok) throw invalidBody(resolved.error);
      ctx.deps.engine.upsert(resolved.value.unit, existing ? { overlays: resolved.value.overlays } : { enabled: false, overlays: resolved.value.overlays });
      const answer = view(current(ctx, name));
      await ctx.persist();
      reply.code(existing ? 200 : 201);
      return answer;
    },
  },
  {
    method: 'POST',
    url: '/v1/services/:name/start',
    schema: { params: nameParams('name') },
    handler: async (request) => {
      const name = param(request, 'name');
      unitOfKind(ctx, name, 'service');
      await ctx.deps.engine.start(name);
      const answer = view(current(ctx, name));
      await ctx.persist();
      return answer;
    },
  },
  {
    method: 'POST',
    url: '/v1/services/:name/stop',
    schema: { params: nameParams('name') },
    handler: async (request) => {
      const name = param(request, 'name');
      unitOfKind(ctx, name, 'service');
      await ctx.deps.engine.stop(name);
      const answer = view(current(ctx, name));
      await ctx.persist();
      return answer;
    },
  },
  execRoute(ctx, '/v1/services/:name/exec', 'service'),
  {
    // Not in the services seed: logs work for both kinds (spec §2), with the servers route's query and answers.
    method: 'GET',
    url: '/v1/services/:name/logs',
    schema: { params: nameParams('name'), querystring: logsQuery },
    handler: async (request, reply) => {
      const name = param(request, 'name');
      unitOfKind(ctx, name, 'service');
      return answerLogs(ctx, name, request, reply);
    },
  },
  {
    method: 'GET',
    url: '/v1/services',
    handler: async () => {
      const snapshot = ctx.deps.engine.snapshot();
      return Object.keys(snapshot.desired.units)
        .sort()
        .map((name) => unitState(snapshot, name))
        .filter((s): s is UnitState => s !== null && s.desired.spec.kind === 'service')
        .map(view);
    },
  },
  {
    method: 'GET',
    url: '/v1/services/:name',
    schema: { params: nameParams('name') },
    handler: async (request) => view(unitOfKind(ctx, param(request, 'name'), 'service')),
  },
  {
    method: 'DELETE',
    url: '/v1/services/:name',
    schema: { params: nameParams('name') },
    handler: async (request) => {
      const name = param(request, 'name');
      unitOfKind(ctx, name, 'service');
      await ctx.deps.engine.remove(name);
      const answer = { name, deleted: true };
      await ctx.persist();
      return answer;
    },
  },
];
