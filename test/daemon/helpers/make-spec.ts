// Builds UnitSpecs for daemon tests on top of the engine's spec builder.

import { unitSpec, type UnitSpecInput } from '../../../src/engine/testing/spec-builder.js';
import type { EnvVar, UnitKind, UnitSpec } from '../../../src/manifest/types.js';

/** A plain env var from the manifest; `secret` marks it as secret-looking. */
export const envVar = (value: string, secret = false): EnvVar => ({ value, source: { kind: 'manifest', key: 'env' }, secret });

/** A unit spec with seed defaults, cwd /tmp. */
export const makeSpec = (name: string, kind: UnitKind = 'service', patch: UnitSpecInput = {}): UnitSpec => unitSpec(name, { kind, cwd: '/tmp', ...patch });
