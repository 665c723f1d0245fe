// Step 2: check the parsed data against the JSON Schema; fill in its defaults; set aside entries that fail.

import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Checked } from './checked.js';
import type { ParsedManifest } from './parse.js';
import type { RawManifest, RawServer, RawService } from './raw-manifest.js';
import { nulDiagnostics } from './nul-check.js';
import { describeSchemaErrors } from './schema-errors.js';
import { validatorFor } from './schema.js';
import { noSource } from './source-path.js';

/** The sound part of a manifest, and the names of entries set aside (still known, so needs on them are not reported twice). */
export interface ValidatedManifest {
  manifest: RawManifest;
  droppedNames: string[];
}

/**
 * Validates the whole manifest, collecting every error. A unit or overlay with errors is dropped so later steps can
 * still check the rest; an error outside any entry (version, env_file, environment, ...) leaves nothing usable.
 */
export const validateManifest = (parsed: ParsedManifest): Checked<ValidatedManifest> => {
  const data = structuredClone(parsed.data);
  const nul = nulDiagnostics(data, parsed.locate);
  const validate = validatorFor('manifest');
  if (nul.length > 0) return { value: null, diagnostics: [...nul, ...(validate(data) ? [] : describeSchemaErrors(validate.errors ?? [], data, parsed.locate, 'the manifest'))] };
  if (validate(data)) return { value: { manifest: data as RawManifest, droppedNames: [] }, diagnostics: [] };
  const errors = validate.errors ?? [];
  const diagnostics = describeSchemaErrors(errors, data, parsed.locate, 'the manifest');
  const owners = errors.map((e) => ownerOf(e, data));
  if (owners.some((o) => o.kind === 'project')) return { value: null, diagnostics };
  return { value: dropEntries(data as RawManifest, owners), diagnostics };
};

/** Validates one API body (`PUT /v1/services/{name}`, `server.start`); diagnostics carry `field` (e.g. `health_port`). */
export const validateUnitBody = <K extends 'service' | 'server'>(kind: K, body: unknown): Result<K extends 'service' ? RawService : RawServer, Diagnostic[]> => {
  const data = structuredClone(body);
  const nul = nulDiagnostics(data, noSource);
  if (nul.length > 0) return err(nul);
  const validate: ValidateFunction = validatorFor(kind);
  if (validate(data)) return ok(data as K extends 'service' ? RawService : RawServer);
  return err(describeSchemaErrors(validate.errors ?? [], data, noSource, `the ${kind} body`));
};

type Owner = { kind: 'project' } | { kind: 'unit'; map: 'services' | 'servers'; name: string } | { kind: 'overlay'; index: number };

/** Which entry an error belongs to, from its instance path. */
const ownerOf = (error: ErrorObject, data: unknown): Owner => {
  const [, top, entry] = error.instancePath.split('/');
  if (top === 'services' || top === 'servers') {
    const name = entry?.replace(/~1/g, '/').replace(/~0/g, '~') ?? error.propertyName;
    if (name !== undefined) return { kind: 'unit', map: top, name };
  }
  if (top === 'overlays' && entry !== undefined && Array.isArray((data as RawManifest).overlays)) return { kind: 'overlay', index: Number(entry) };
  return { kind: 'project' };
};

const dropEntries = (manifest: RawManifest, owners: Owner[]): ValidatedManifest => {
  const droppedNames = new Set<string>();
  const droppedOverlays = new Set<number>();
  for (const owner of owners) {
    if (owner.kind === 'unit') {
      delete manifest[owner.map]?.[owner.name];
      droppedNames.add(owner.name);
    } else if (owner.kind === 'overlay') {
      droppedOverlays.add(owner.index);
      const name = (manifest.overlays?.[owner.index] as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string') droppedNames.add(name);
    }
  }
  if (manifest.overlays) manifest.overlays = manifest.overlays.filter((_, i) => !droppedOverlays.has(i));
  return { manifest, droppedNames: [...droppedNames] };
};
