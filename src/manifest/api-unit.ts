// One unit from the HTTP API (`PUT /v1/services/{name}`, `server.start`): the same checks and steps as a manifest unit.

import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ReadFile } from './env-files.js';
import { lookupIn, sbxEnvironmentLayer } from './merge-env.js';
import type { RawUnit } from './raw-manifest.js';
import { sandboxSchema } from './schema.js';
import { noSource } from './source-path.js';
import type { OverlaySpec, UnitKind, UnitSpec } from './types.js';
import { runUnitPipeline } from './unit-pipeline.js';
import { validateUnitBody } from './validate.js';

/** A unit as the API receives it. */
export interface ApiUnitRequest {
  kind: UnitKind;
  /** From the URL (services) or the body's `slug` (servers). */
  name: string;
  body: unknown;
  /** Folder relative paths resolve against (the project's folder). */
  baseDir: string;
  /** sbx's own environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Overlays the project already has, so `needs` naming them land in the spec's `overlays`. */
  overlayNames?: Iterable<string>;
}

/** The spec, and the inline overlay a server body may carry. */
export interface ApiUnit {
  unit: UnitSpec;
  overlays: OverlaySpec[];
}

const fieldError = (field: string, message: string, code = 'invalid-value'): Diagnostic => ({ severity: 'error', code, message, field });

/** Validates and resolves one API body; diagnostics carry `field` (e.g. `health_port`) instead of a file location. */
export const resolveApiUnit = (request: ApiUnitRequest, io: { readFile: ReadFile; userExists?: (name: string) => boolean }): Result<ApiUnit, Diagnostic[]> => {
  const { kind, name } = request;
  const nameField = kind === 'server' ? 'slug' : 'name';
  const namePattern = new RegExp(String((sandboxSchema().$defs as { unitName: { pattern: string } }).unitName.pattern));
  if (!namePattern.test(name)) {
    return err([fieldError(nameField, `\`${name}\` is not a valid name (lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters)`, 'invalid-name')]);
  }
  if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
    return err([fieldError('', `the ${kind} body must be a JSON object`, 'invalid-type')]);
  }
  // The body may repeat the unit's name (`slug` for servers, `name` for services); it must then agree with it.
  const { [nameField]: repeated, ...body } = request.body as Record<string, unknown>;
  if (repeated !== undefined && repeated !== name) {
    return err([fieldError(nameField, `${nameField} ${JSON.stringify(repeated)} does not match the unit's name \`${name}\``)]);
  }

  const validated = validateUnitBody(kind, body);
  if (!validated.ok) return err(validated.error);
  const raw = { kind, name, base: [], body: validated.value } as RawUnit;
  const sbx = sbxEnvironmentLayer(request.env);
  const resolved = runUnitPipeline(raw, {
    dir: request.baseDir,
    projectLayers: [sbx],
    vars: lookupIn([sbx]),
    overlayNames: new Set(request.overlayNames ?? []),
    locate: noSource,
    readFile: io.readFile,
  });
  if (!resolved.ok) return err(resolved.error);
  const { spec, inlineOverlay } = resolved.value;
  if (spec.user !== null && io.userExists && !io.userExists(spec.user)) {
    return err([fieldError('user', `there is no user \`${spec.user}\` on this machine`, 'unknown-user')]);
  }
  return ok({ unit: spec, overlays: inlineOverlay ? [inlineOverlay] : [] });
};
