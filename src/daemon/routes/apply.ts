// `POST /v1/apply` (NDJSON: plan, events, result) and `POST /v1/plan` (the plan, nothing changes).

import type { ApplyRequest, PlanView } from '../api-types.js';
import { loadDesired, manifestPathOf, previewPlan, streamApply, toPlanView } from '../apply-session.js';
import type { ApiContext, RouteDef } from '../route.js';

/** Largest manifest a request may carry inline (characters). */
export const MAX_INLINE_MANIFEST_BYTES = 1_048_576;

const applyBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: { type: 'string', minLength: 1, maxLength: 4096 },
    manifest: { type: 'string', maxLength: MAX_INLINE_MANIFEST_BYTES },
    prune: { type: 'boolean' },
    dry_run: { type: 'boolean' },
    timeout_ms: { type: 'integer', minimum: 0, maximum: 86_400_000 },
  },
};

/** Route table entries for apply and plan. */
export const applyRoutes = (ctx: ApiContext): RouteDef[] => [
  {
    method: 'POST',
    url: '/v1/apply',
    schema: { body: applyBody },
    handler: async (request, reply) => {
      await streamApply(ctx, request.body as ApplyRequest, reply);
      return undefined;
    },
  },
  {
    method: 'POST',
    url: '/v1/plan',
    schema: { body: applyBody },
    handler: async (request): Promise<PlanView> => {
      const body = request.body as ApplyRequest;
      const path = manifestPathOf(ctx, body);
      const desired = await loadDesired(ctx, path, body.manifest);
      return toPlanView(desired, path, await previewPlan(ctx, desired, body.prune ?? true));
    },
  },
];
