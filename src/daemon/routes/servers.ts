// The managed-servers seed's routes: start (create and start), list, retrieve, stop, restart, delete, logs.

import { conflict, invalidBody } from '../http-error.js';
import { untilLaunched } from '../launch-wait.js';
import { current, nameParams, NAME_PATTERN, param, unitOfKind, type ApiContext, type RouteDef } from '../route.js';
import { toServerView, unitState, type UnitState } from '../views.js';
import { answerLogs, logsQuery } from './logs.js';

const startBody = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', pattern: NAME_PATTERN } },
};

/** Route table entries for servers. */
export const serverRoutes = (ctx: ApiContext): RouteDef[] => [
  {
    method: 'POST',
    url: '/v1/servers',
    schema: { body: startBody },
    handler: async (request, reply) => {
      const body = request.body as { slug: string } & Record<string, unknown>;
      const slug = body.slug;
      const snapshot = ctx.deps.engine.snapshot();
      const existing = unitState(snapshot, slug);
      if (existing && existing.desired.spec.kind !== 'server') {
        throw conflict(`"${slug}" is already a ${existing.desired.spec.kind}; unit names are unique across services and servers`, 'slug');
      }
      const resolved = await ctx.deps.resolveUnit({
        kind: 'server',
        name: slug,
        body,
        baseDir: ctx.paths.projectDir,
        env: process.env,
        overlayNames: Object.keys(snapshot.desired.overlays),
      });
      if (!resolved.ok) throw invalidBody(resolved.error);
      ctx.deps.engine.upsert(resolved.value.unit, { enabled: true, overlays: resolved.value.overlays });
      ctx.changed();
      await untilLaunched(ctx, slug, () => ctx.deps.engine.start(slug));
      const answer = toServerView(current(ctx, slug), ctx.urlHost);
      await ctx.persist();
      reply.code(existing ? 200 : 201);
      return answer;
    },
  },
  {
    method: 'GET',
    url: '/v1/servers',
    handler: async () => {
      const snapshot = ctx.deps.engine.snapshot();
      return Object.keys(snapshot.desired.units)
        .sort()
        .map((name) => unitState(snapshot, name))
        .filter((s): s is UnitState => s !== null && s.desired.spec.kind === 'server')
        .map((state) => toServerView(state, ctx.urlHost));
    },
  },
  {
    method: 'GET',
    url: '/v1/servers/:slug',
    schema: { params: nameParams('slug') },
    handler: async (request) => toServerView(unitOfKind(ctx, param(request, 'slug'), 'server'), ctx.urlHost),
  },
  {
    method: 'POST',
    url: '/v1/servers/:slug/stop',
    schema: { params: nameParams('slug') },
    handler: async (request) => {
      const slug = param(request, 'slug');
      unitOfKind(ctx, slug, 'server');
      await ctx.deps.engine.stop(slug);
      const answer = toServerView(current(ctx, slug), ctx.urlHost);
      await ctx.persist();
      return answer;
    },
  },
  {
    method: 'POST',
    url: '/v1/servers/:slug/restart',
    schema: { params: nameParams('slug') },
    handler: async (request) => {
      const slug = param(request, 'slug');
      unitOfKind(ctx, slug, 'server');
      await untilLaunched(ctx, slug, () => ctx.deps.engine.restart(slug));
      const answer = toServerView(current(ctx, slug), ctx.urlHost);
      await ctx.persist();
      return answer;
    },
  },
  {
    method: 'DELETE',
    url: '/v1/servers/:slug',
    schema: { params: nameParams('slug') },
    handler: async (request) => {
      const slug = param(request, 'slug');
      unitOfKind(ctx, slug, 'server');
      await ctx.deps.engine.remove(slug);
      const answer = { slug, deleted: true };
      await ctx.persist();
      return answer;
    },
  },
  {
    method: 'GET',
    url: '/v1/servers/:slug/logs',
    schema: { params: nameParams('slug'), querystring: logsQuery },
    handler: async (request, reply) => {
      const slug = param(request, 'slug');
      unitOfKind(ctx, slug, 'server');
      return answerLogs(ctx, slug, request, reply);
    },
  },
];
