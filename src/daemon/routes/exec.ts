// Running a one-shot command in a unit's context: the services seed's exec, and the same for any unit by name.

import type { ExecResult } from '../api-types.js';
import { nameParams, param, unitOfKind, type ApiContext, type RouteDef } from '../route.js';

/** Longest `timeout_secs` an exec may ask for (one day). */
const MAX_EXEC_SECS = 86_400;

const execBody = {
  type: 'object',
  required: ['cmd'],
  additionalProperties: false,
  properties: {
    cmd: { type: 'array', minItems: 1, maxItems: 4096, items: { type: 'string', maxLength: 131_072, pattern: '^[^\\u0000]*$' } },
    timeout_secs: { type: 'number', exclusiveMinimum: 0, maximum: MAX_EXEC_SECS },
  },
};

/** Default exec timeout when the body gives none. */
export const DEFAULT_EXEC_SECS = 60;

/** `POST url` (with a `:name` parameter) runs `cmd` in the named unit's context; `kind` null accepts any unit. */
export const execRoute = (ctx: ApiContext, url: string, kind: 'service' | null): RouteDef => ({
  method: 'POST',
  url,
  schema: { params: nameParams('name'), body: execBody },
  handler: async (request): Promise<ExecResult> => {
    const state = unitOfKind(ctx, param(request, 'name'), kind);
    const body = request.body as { cmd: string[]; timeout_secs?: number };
    const timeoutMs = Math.round((body.timeout_secs ?? DEFAULT_EXEC_SECS) * 1000);
    return ctx.deps.executor.exec(state.desired.spec, state.observed, body.cmd, timeoutMs);
  },
});
