// A user-facing problem with where it is: the one shape every bad input becomes.

/** A position in a source file; line and col are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  /** Length of the offending span on that line, for the caret underline (>= 1). */
  length?: number;
}

export type Severity = 'error' | 'warning';

/** One located problem; `field` is the dotted path inside the manifest or API body (e.g. services.redis.health_port). */
export interface Diagnostic {
  severity: Severity;
  message: string;
  location?: SourceLocation;
  field?: string;
  /** Extra hints, e.g. "did you mean `restart_policy`?". */
  hint?: string;
  /** Stable kebab-case kind for machines (e.g. `unknown-key`, `dependency-cycle`, `manifest-unreadable`). */
  code?: string;
  /** False when the located line must never be printed (it holds a secret, e.g. a line of an env file). */
  quote?: boolean;
}

/** Builds an error diagnostic. */
export const errorAt = (message: string, location?: SourceLocation, field?: string, hint?: string): Diagnostic => ({
  severity: 'error',
  message,
  ...(location ? { location } : {}),
  ...(field ? { field } : {}),
  ...(hint ? { hint } : {}),
});

/** True when any diagnostic is an error (warnings do not block). */
export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.severity === 'error');
