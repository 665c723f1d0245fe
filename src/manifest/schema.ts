// The JSON Schema (schemas/sandbox.schema.json, the single source of truth) and its compiled validators.

import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** Where the schema ships: beside src/ and dist/ alike. */
export const schemaPath = (): string => new URL('../../schemas/sandbox.schema.json', import.meta.url).pathname;

let cached: { schema: Record<string, unknown>; manifest: ValidateFunction; service: ValidateFunction; server: ValidateFunction } | undefined;

/** The schema as a JSON value (`sbx schema` prints it). */
export const sandboxSchema = (): Record<string, unknown> => validators().schema;

/** Compiled validators for the whole manifest and for one API body of each kind; they fill in the schema's defaults. */
export const validators = (): { manifest: ValidateFunction; service: ValidateFunction; server: ValidateFunction; schema: Record<string, unknown> } => {
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true });
  // An annotation naming what an anyOf expects, so its error reads "must be a path or { path, required }".
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  ajv.addSchema(schema, 'sandbox');
  const get = (ref: string): ValidateFunction => {
    const validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`schema is missing ${ref}`);
    return validate;
  };
  cached = { schema, manifest: get('sandbox'), service: get('sandbox#/$defs/service'), server: get('sandbox#/$defs/server') };
  return cached;
};
