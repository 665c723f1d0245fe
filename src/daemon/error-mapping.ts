// Turns anything a route throws (our HttpError, fastify's validation and body errors, bugs) into `{ error }` + a status.

import type { ErrorBody } from './api-types.js';
import { HttpError } from './http-error.js';

/** An ajv error as fastify attaches it to a validation failure. */
interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The rendered answer; `bug` when it is a 500 that should be logged with its stack. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  bug: boolean;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
};

/** `/cmd/0` → `cmd.0`, plus the property a `required` or `additionalProperties` error names. */
export const fieldOf = (issue: AjvIssue, context: string): string => {
  const path = (issue.instancePath ?? '').split('/').filter(Boolean);
  const extra = issue.params?.['missingProperty'] ?? issue.params?.['additionalProperty'];
  if (typeof extra === 'string') path.push(extra);
  if (path.length > 0) return path.join('.');
  return context === 'body' ? 'body' : context;
};

const describe = (issue: AjvIssue, field: string): string => {
  if (issue.keyword === 'required') return `${field} is required`;
  if (issue.keyword === 'additionalProperties') return `${field} is not a known field`;
  if (issue.keyword === 'enum' && Array.isArray(issue.params?.['allowedValues'])) {
    return `${field} must be one of ${(issue.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${field} ${issue.message ?? 'is invalid'}`;
};

/** Maps a thrown value to the API's error answer. */
export const toErrorResponse = (error: unknown): ErrorResponse => {
  if (error instanceof HttpError) return { status: error.status, body: error.toBody(), bug: false };
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    validation?: AjvIssue[];
    validationContext?: string;
    statusCode?: number;
    code?: string;
    message?: string;
  };
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const issue = e.validation[0] as AjvIssue;
    const field = fieldOf(issue, e.validationContext ?? 'body');
    return { status: 400, body: { error: { code: 'invalid-request', message: describe(issue, field), field } }, bug: false };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = (e.code && FASTIFY_CODES[e.code]) ?? 'invalid-request';
    return { status: e.statusCode, body: { error: { code, message: e.message ?? 'bad request', field: null } }, bug: false };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error (see .sbx/daemon.log)', field: null } }, bug: true };
};
