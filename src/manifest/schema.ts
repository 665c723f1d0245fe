// The JSON Schema (schemas/sandbox.schema.json, the single source of truth) and its compiled validators.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

/** Where the schema ships: beside src/ and dist/ alike. */
export const schemaPath = (): string => fileURLToPath(new URL('../../schemas/sandbox.schema.json', import.meta.url));

type Validated = 'manifest' | 'service' | 'server';
const refs: Record<Validated, string> = { manifest: 'sandbox', service: 'sandbox#/$defs/service', server: 'sandbox#/$defs/server' };

let ajv: Ajv2020 | undefined;
let schema: Record<string, unknown> | undefined;
const compiled = new Map<Validated, ValidateFunction>();

/** The schema as a JSON value (`sbx schema` prints it), read once. */
export const sandboxSchema = (): Record<string, unknown> => {
  schema ??= JSON.parse(readFileSync(schemaPath(), 'utf8')) as Record<string, unknown>;
  return schema;
};

/** The validator for the whole manifest or one API body, compiled on first use; it fills in the schema's defaults. */
export const validatorFor = (what: Validated): ValidateFunction => {
  const cached = compiled.get(what);
  if (cached) return cached;
  if (!ajv) {
    // Unoptimised code compiles faster, and a manifest is validated once per load: the compile is the larger cost.
    ajv = new Ajv2020({ allErrors: true, verbose: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, code: { optimize: false } });
    // An annotation naming what an anyOf expects, so its error reads "must be a path or { path, required }".
    ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
    ajv.addSchema(sandboxSchema(), 'sandbox');
  }
  const validate = ajv.getSchema(refs[what]);
  if (!validate) throw new Error(`schema is missing ${refs[what]}`);
  compiled.set(what, validate);
  return validate;
};
