// A running unit's identity: the spec's fingerprint plus what it consumes from outside itself (overlays, other ports).

import { createHash } from 'node:crypto';
import type { OverlaySpec, UnitSpec } from '../manifest/types.js';

/** What besides its own spec a run consumes: the overlays' digests and the resolved `${units.X...}` values. */
export interface FingerprintInputs {
  overlays: Record<string, string | null>;
  refs: Record<string, string>;
}

/** Entries of a record sorted by key, so equal records hash equally whatever their insertion order. */
const sortedEntries = <T>(record: Record<string, T>): [string, T][] =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The fingerprint a run of `spec` is compared by: a change means restart. With no overlays and no references it is
 * the spec's own fingerprint, so a plain unit reads the same in state files and logs.
 */
export const effectiveFingerprint = (spec: Pick<UnitSpec, 'fingerprint'>, inputs: FingerprintInputs): string => {
  const overlays = sortedEntries(inputs.overlays);
  const refs = sortedEntries(inputs.refs);
  if (overlays.length === 0 && refs.length === 0) return spec.fingerprint;
  const hash = createHash('sha256');
  hash.update(JSON.stringify([spec.fingerprint, overlays, refs]));
  return hash.digest('hex');
};

/** The overlay settings a copy depends on (not its name, location or needs): when this changes, re-sync. */
export const overlaySpecKey = (spec: OverlaySpec): string =>
  JSON.stringify([spec.source, spec.target, spec.strategy, [...spec.ignore].sort(), [...spec.immutable].sort()]);
