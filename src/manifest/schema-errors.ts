// Turns ajv's errors into diagnostics a person can act on: one per problem, located, with a hint where one helps.

import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../shared/diagnostic.js';
import { didYouMean } from '../shared/suggest.js';
import { formatPath, pathFromPointer, type Locate, type Path } from './source-path.js';

/** Describes a schema error in words, located by `locate`; `root` names the whole document ("the manifest"). */
export const describeSchemaErrors = (errors: readonly ErrorObject[], data: unknown, locate: Locate, root: string): Diagnostic[] => {
  const kept = collapseAlternatives(errors);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    if (isExplainedByUnknownKey(error, kept)) continue;
    const diagnostic = describeOne(error, data, locate, root);
    const key = `${diagnostic.field}|${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnostic);
  }
  return out;
};

/** A missing `start` beside an unknown `strat` is one mistake: the unknown key's hint already names the field. */
const isExplainedByUnknownKey = (error: ErrorObject, all: readonly ErrorObject[]): boolean => {
  if (error.keyword !== 'required' || error.schemaPath.includes('/then/')) return false;
  const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
  return all.some((other) => {
    if (other.keyword !== 'additionalProperties' || other.instancePath !== error.instancePath) return false;
    const allowed = Object.keys(((other.parentSchema ?? {}) as { properties?: object }).properties ?? {});
    const key = String((other.params as { additionalProperty?: unknown }).additionalProperty);
    return (keyHint(key, allowed) ?? didYouMean(key, allowed) ?? '').includes(`\`${missing}\``);
  });
};

/** Keeps, for each anyOf, the errors of the one branch the value was evidently meant for, or one summary error. */
const collapseAlternatives = (errors: readonly ErrorObject[]): ErrorObject[] => {
  let result = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames');
  const groups = result.filter((e) => e.keyword === 'anyOf').sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const group of groups) {
    const prefix = `${group.schemaPath}/`;
    const members = result.filter(
      (e) => e !== group && e.schemaPath.startsWith(prefix) && (e.instancePath === group.instancePath || e.instancePath.startsWith(`${group.instancePath}/`)),
    );
    const branchOf = (e: ErrorObject): string => e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
    const wrongType = new Set(members.filter((e) => e.keyword === 'type' && e.schemaPath === `${prefix}${branchOf(e)}/type`).map(branchOf));
    const candidates = [...new Set(members.map(branchOf))].filter((b) => !wrongType.has(b));
    const keep = candidates.length === 1 ? members.filter((e) => branchOf(e) === candidates[0]) : [group];
    result = result.filter((e) => (e !== group && !members.includes(e)) || keep.includes(e));
  }
  return result;
};

const describeOne = (error: ErrorObject, data: unknown, locate: Locate, root: string): Diagnostic => {
  const path = pathFromPointer(error.instancePath, data);
  const where = formatPath(path) || root;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  // `field` names what is wrong (for a missing field, the field itself); the location is the nearest node that exists.
  const make = (code: string, message: string, at: Path, key = false, hint?: string, field: Path = at): Diagnostic => {
    const location = locate(at, { key });
    return { severity: 'error', code, message, field: formatPath(field) || root, ...(location ? { location } : {}), ...(hint ? { hint } : {}) };
  };

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as object);
      const hint = keyHint(key, allowed) ?? didYouMean(key, allowed) ?? `allowed keys: ${allowed.join(', ')}`;
      return make('unknown-key', `unknown key \`${key}\` in ${where}`, [...path, key], true, hint);
    }
    case 'required': {
      const missing = String(params.missingProperty);
      if (error.schemaPath.includes('/then/')) {
        return make('missing-field', `${where} sets \`container: true\` but has no \`image\``, path, false, 'a container unit needs an OCI image, e.g. `image: node:20-slim`', [...path, missing]);
      }
      const hint = missing === 'version' && path.length === 0 ? 'start the manifest with `version: 1`' : undefined;
      return make('missing-field', `${where} is missing required field \`${missing}\``, path, false, hint, [...path, missing]);
    }
    case 'type': {
      if (path.length === 0 && (error.data === null || error.data === undefined)) {
        return make('invalid-type', `${root} is empty`, path, false, 'start it with `version: 1`');
      }
      const hint = typeof error.data === 'string' && error.data.includes('${') ? '`${…}` is interpolated only in string fields; write the value itself here' : undefined;
      return make('invalid-type', `${where} must be ${typeWords(params.type)}, got ${describeValue(error.data)}`, path, false, hint);
    }
    case 'const':
      return make('invalid-value', `${where} must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(error.data)}`, path);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return make('invalid-value', `${where} must be one of ${allowed.join(', ')}; got ${describeValue(error.data)}`, path, false, hint);
    }
    case 'minimum':
    case 'maximum': {
      const { minimum, maximum } = parent as { minimum?: number; maximum?: number };
      const range = minimum !== undefined && maximum !== undefined ? `between ${minimum} and ${maximum}` : minimum !== undefined ? `at least ${minimum}` : `at most ${maximum}`;
      return make('invalid-value', `${where} must be ${range}, got ${describeValue(error.data)}`, path);
    }
    case 'minLength':
      return make('invalid-value', `${where} must not be empty`, path);
    case 'pattern': {
      if (error.propertyName !== undefined) {
        const name = error.propertyName;
        return make('invalid-name', `\`${name}\` in ${where} is not ${patternWords(String(params.pattern))}`, [...path, name], true);
      }
      return make('invalid-value', `${where} must be ${patternWords(String(params.pattern))}, got ${describeValue(error.data)}`, path);
    }
    case 'anyOf':
      return make('invalid-type', `${where} must be ${String(parent['x-expected'] ?? 'one of the allowed shapes')}, got ${describeValue(error.data)}`, path);
    default:
      return make('invalid-value', `${where} ${error.message ?? 'is invalid'}`, path);
  }
};

/** Hints for keys that belong to the other kind of unit, or to other tools' vocabularies. */
const keyHint = (key: string, allowed: string[]): string | undefined => {
  const isService = allowed.includes('cmd');
  const isServer = allowed.includes('start');
  if (key === 'environment' && isService) return 'services take `env`; `environment` is how servers spell it';
  if (key === 'env' && isServer) return 'servers take `environment`; `env` is how services spell it';
  if ((key === 'cmd' || key === 'args') && isServer) return 'a server runs a shell line in `start`; `cmd` and `args` belong to services';
  if ((key === 'start' || key === 'install') && isService) return `\`${key}\` belongs to servers; a service runs \`cmd\` with \`args\``;
  if (key === 'overlay' && isService) return 'inline overlays belong to servers; declare it under `overlays:` and list its name in `needs`';
  if (key === 'depends_on') return 'use `needs` to wait for other units';
  if (key === 'command') return isServer ? 'use `start`' : 'use `cmd` (and `args`)';
  if (key === 'cwd' || key === 'workdir') return isServer ? 'use `path`' : 'use `working_dir`';
  if (key === 'slug' || (key === 'name' && (isService || isServer))) return 'a unit is named by its key under `services:` or `servers:`';
  return undefined;
};

const patternWords = (pattern: string): string => {
  if (pattern.startsWith('^[a-z0-9][a-z0-9-]')) return "a valid name (lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters)";
  if (pattern.startsWith('^[A-Za-z_][A-Za-z0-9._-]')) return "a valid user name (letters, digits, '.', '_' and '-', not starting with a digit, '.' or '-')";
  if (pattern.startsWith('^[A-Za-z_][A-Za-z0-9_]*')) return "a valid environment variable name (letters, digits and '_', not starting with a digit)";
  if (pattern.startsWith('^/')) return 'an absolute URL path starting with /, without spaces or control characters';
  if (pattern.startsWith('^([A-Za-z0-9]')) return "an image reference (letters, digits, '.', '_', '-', '/', ':' and '@', not starting with '-')";
  if (pattern === '^[^/]+$') return 'a directory name without slashes';
  if (pattern.startsWith('^[A-Za-z0-9][A-Za-z0-9._-]')) return "a valid project name (letters, digits, '.', '_' and '-')";
  return `a string matching /${pattern}/`;
};

const typeWords = (type: unknown): string => {
  const types = (Array.isArray(type) ? type : [type]).map(String).filter((t) => t !== 'null');
  if (types.length > 1) return `a ${types.map((t) => (t === 'object' ? 'mapping' : t === 'array' ? 'list' : t)).join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
  const words: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
  };
  return words[types[0] ?? ''] ?? 'a value';
};

/** A short rendering of the offending value: "6379x" quoted, numbers bare, collections by kind. */
export const describeValue = (value: unknown): string => {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
};
