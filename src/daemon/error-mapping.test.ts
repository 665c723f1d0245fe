import { describe, expect, it } from 'vitest';
import { toErrorResponse } from './error-mapping.js';
import { HttpError, invalidManifest, notFound } from './http-error.js';

describe('toErrorResponse', () => {
  it.each([
    ['an HttpError', notFound('service', 'redis'), 404, { code: 'not-found', field: 'name', message: 'no service named "redis"' }],
    [
      'a missing required body field',
      { validation: [{ instancePath: '', keyword: 'required', params: { missingProperty: 'cmd' } }], validationContext: 'body', statusCode: 400 },
      400,
      { code: 'invalid-request', field: 'cmd', message: 'cmd is required' },
    ],
    [
      'a wrong type deep in the body',
      { validation: [{ instancePath: '/cmd/1', keyword: 'type', message: 'must be string' }], validationContext: 'body' },
      400,
      { field: 'cmd.1', message: 'cmd.1 must be string' },
    ],
    [
      'an unknown field',
      { validation: [{ instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'timeout_ms' } }], validationContext: 'body' },
      400,
      { field: 'timeout_ms', message: 'timeout_ms is not a known field' },
    ],
    [
      'a bad enum in the query',
      { validation: [{ instancePath: '/stream', keyword: 'enum', params: { allowedValues: ['stdout', 'stderr'] } }], validationContext: 'querystring' },
      400,
      { field: 'stream', message: 'stream must be one of "stdout", "stderr"' },
    ],
    ['invalid JSON', { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'Unexpected token' }, 400, { code: 'invalid-json', field: null }],
    ['a body too large', { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'too large' }, 413, { code: 'body-too-large' }],
    ['a bug', new TypeError('x is undefined'), 500, { code: 'internal', field: null }],
  ])('%s', (_label, error, status, body) => {
    const response = toErrorResponse(error);
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject(body);
    expect(response.bug).toBe(status === 500);
  });

  it('locates an invalid manifest by its first error and keeps every diagnostic', () => {
    const diagnostics = [
      { severity: 'warning' as const, message: 'env file is world-readable' },
      { severity: 'error' as const, message: 'unknown key', field: 'services.a.comd', location: { file: 'sandbox.yaml', line: 3, col: 5 } },
      { severity: 'error' as const, message: 'cycle a -> b -> a' },
    ];
    const response = toErrorResponse(invalidManifest(diagnostics));
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'invalid-manifest', field: 'services.a.comd', message: 'sandbox.yaml:3:5: unknown key (and 1 more)' });
    expect(response.body.error.diagnostics).toHaveLength(3);
  });

  it('an HttpError keeps its own code', () => {
    expect(toErrorResponse(new HttpError(409, 'conflict', 'name taken', 'name')).body).toEqual({ error: { code: 'conflict', message: 'name taken', field: 'name' } });
  });
});
