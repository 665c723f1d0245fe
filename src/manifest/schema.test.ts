import { describe, expect, it } from 'vitest';
import { sandboxSchema } from './schema.js';

type Schema = Record<string, unknown>;
const schema = sandboxSchema();
const defs = schema.$defs as Record<string, Schema>;

/** Every object schema reachable in the document, with a path for messages. */
const objectSchemas = (node: unknown, path: string, out: [string, Schema][] = []): [string, Schema][] => {
  if (Array.isArray(node)) node.forEach((item, i) => objectSchemas(item, `${path}[${i}]`, out));
  else if (node !== null && typeof node === 'object') {
    const s = node as Schema;
    if (s.properties) out.push([path, s]);
    // `if`/`then` only constrain properties declared elsewhere.
    for (const [key, value] of Object.entries(s)) if (key !== 'if' && key !== 'then') objectSchemas(value, `${path}/${key}`, out);
  }
  return out;
};

const describedThroughRef = (property: Schema): boolean => {
  if (typeof property.description === 'string' && property.description.length > 0) return true;
  const ref = typeof property.$ref === 'string' ? defs[property.$ref.replace('#/$defs/', '')] : undefined;
  return typeof ref?.description === 'string';
};

describe('sandbox.schema.json', () => {
  it('is JSON Schema 2020-12 with the API definitions', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(defs)).toEqual(expect.arrayContaining(['service', 'server', 'overlay', 'needs', 'envFiles']));
  });

  it.each(objectSchemas(schema, '#'))('%s allows no unknown keys and describes every property', (_path, node) => {
    const isMap = node.additionalProperties !== false;
    if (!isMap) expect(node.additionalProperties).toBe(false);
    for (const [name, property] of Object.entries(node.properties as Record<string, Schema>)) {
      expect(describedThroughRef(property), `${name} has a description`).toBe(true);
    }
  });

  it('carries the seed defaults', () => {
    const server = (defs.server!.properties as Record<string, Schema>)!;
    expect([server.restart_policy?.default, server.max_restarts?.default, server.restart_delay_ms?.default, server.stop_timeout_ms?.default, server.strict_port?.default]).toEqual(['never', 0, 1000, 10000, false]);
    const health = (defs.healthCheck!.properties as Record<string, Schema>)!;
    expect([health.path?.default, health.interval_ms?.default, health.timeout_ms?.default, health.delay_ms?.default]).toEqual(['/', 2000, 1500, 5000]);
  });

  it.each([
    ['0day', false],
    ['1000x', false],
    [' nobody', false],
    ['-x', false],
    ['nobody', true],
    ['www-data', true],
    ['_apt', true],
    ['svc.user', true],
  ])('user name %j valid: %s', (name, valid) => {
    expect(new RegExp(defs.userName!.pattern as string).test(name)).toBe(valid);
  });

  it.each([
    ['redis', true],
    ['web-1', true],
    ['1a', true],
    ['Redis', false],
    ['-a', false],
    ['a_b', false],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
  ])('unit name %j valid: %s', (name, valid) => {
    expect(new RegExp(defs.unitName!.pattern as string).test(name)).toBe(valid);
  });
});
