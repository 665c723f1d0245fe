// The answer of a step that lets later steps go on with the sound part of the input.

import type { Diagnostic } from '../shared/diagnostic.js';

/** The usable value (null when nothing is), and every problem found on the way. */
export interface Checked<T> {
  value: T | null;
  diagnostics: Diagnostic[];
}
