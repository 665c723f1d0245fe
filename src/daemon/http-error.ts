// Expected API failures as values with a status: routes throw these; the error handler renders `{ error }`.

import type { Diagnostic } from '../shared/diagnostic.js';
import type { ErrorBody } from './api-types.js';

/** An API error the client caused or can act on (never a bug). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly diagnostics?: Diagnostic[],
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The wire body. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, field: this.field, ...(this.diagnostics ? { diagnostics: this.diagnostics } : {}) } };
  }
}

/** 400: the body or query is not what the route expects. */
export const badRequest = (message: string, field: string | null, diagnostics?: Diagnostic[]): HttpError =>
  new HttpError(400, 'invalid-request', message, field, diagnostics);

/** 404: no such unit (or route). */
export const notFound = (what: string, name: string, hint = ''): HttpError =>
  new HttpError(404, 'not-found', `no ${what} named "${name}"${hint}`, 'name');

/** 409: the request conflicts with the current state. */
export const conflict = (message: string, field: string | null = null): HttpError => new HttpError(409, 'conflict', message, field);

/** 422: the manifest is invalid; nothing changed. */
export const invalidManifest = (diagnostics: Diagnostic[]): HttpError => {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] ?? diagnostics[0];
  const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.col}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new HttpError(422, 'invalid-manifest', `${where}${first?.message ?? 'invalid manifest'}${more}`, first?.field ?? null, diagnostics);
};

/** 400 from a resolver's diagnostics on an API body: the first error's field and message, all diagnostics attached. */
export const invalidBody = (diagnostics: Diagnostic[]): HttpError => {
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  return badRequest(first?.message ?? 'invalid body', first?.field ?? null, diagnostics);
};
