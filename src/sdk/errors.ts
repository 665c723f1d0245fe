// The SDK's one error type: what the daemon answered (`{ error: { code, message, field } }`) or why it could not answer.

import { ApiError } from '../daemon/http-transport.js';
import type { Diagnostic } from '../shared/diagnostic.js';

/** Every failed SDK call rejects with this: `status` is the HTTP status, 0 when no answer came (or the SDK refused first). */
export class SbxError extends Error {
  constructor(
    /** HTTP status of the daemon's answer; 0 when the daemon was unreachable, the stream broke, or the SDK refused the call. */
    readonly status: number,
    /** Machine-readable kind, e.g. `not-found`, `invalid-body`, `invalid-manifest`, `daemon-unreachable`. */
    readonly code: string,
    message: string,
    /** The request field at fault (`health_port`, `slug`, ...), or null. */
    readonly field: string | null = null,
    /** Every problem found, with its file location or field, when a manifest or body was invalid. */
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'SbxError';
  }
}

/** The SbxError for anything a call threw (API errors keep status, code, field and diagnostics). */
export const toSbxError = (error: unknown): SbxError => {
  if (error instanceof SbxError) return error;
  if (error instanceof ApiError) {
    return new SbxError(error.status, error.code, error.message, error.field, error.details?.diagnostics ?? []);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SbxError(0, 'client-error', message);
};

/** Runs one API call, rejecting with an SbxError whatever went wrong. */
export const call = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    throw toSbxError(error);
  }
};
