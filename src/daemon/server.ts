// The HTTP API as a fastify instance: one explicit route table, strict body validation, every error as `{ error }`.

import { Ajv } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { toErrorResponse } from './error-mapping.js';
import type { ApiContext, RouteDef } from './route.js';
import { applyRoutes } from './routes/apply.js';
import { checkpointRoutes } from './routes/checkpoints.js';
import { serverRoutes } from './routes/servers.js';
import { serviceRoutes } from './routes/services.js';
import { systemRoutes } from './routes/system.js';
import { unitRoutes } from './routes/units.js';

/** Largest request body accepted (a manifest-sized unit definition fits easily). */
export const BODY_LIMIT = 4 * 1024 * 1024;

/** Every route the daemon answers, in one table. */
export const routeTable = (ctx: ApiContext): RouteDef[] => [
  ...systemRoutes(ctx),
  ...applyRoutes(ctx),
  ...serviceRoutes(ctx),
  ...serverRoutes(ctx),
  ...unitRoutes(ctx),
  ...checkpointRoutes(ctx),
];

/** Bodies are validated strictly (no coercion, no silently dropped fields); query strings and params are coerced from text. */
const validators = (): { body: Ajv; text: Ajv } => ({
  body: new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: true }),
  text: new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: false, strict: true }),
});

/** Builds the API server (not yet listening). */
export const buildApiServer = (ctx: ApiContext): FastifyInstance => {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajv.body : ajv.text).compile(schema));
  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error);
    if (response.bug) request.log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    void reply.code(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}`, field: null } });
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  for (const route of routeTable(ctx)) {
    app.route({ method: route.method, url: route.url, ...(route.schema ? { schema: route.schema } : {}), handler: route.handler });
  }
  return app;
};
