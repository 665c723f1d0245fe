// Runs one overlay sync and records its outcome (status, counts, digest) as observed state.

import type { OverlaySpec } from '../manifest/types.js';
import type { OverlayCopier } from '../runtime/overlay-copier.js';
import type { EngineStore } from './engine-store.js';
import { overlaySpecKey } from './fingerprint.js';

const NO_STATS = { copied_files: 0, copied_dirs: 0, symlinked: 0, skipped: 0 };

/** Copies an overlay; `in_progress` while it runs, then `complete` with the source digest, or `failed` with why. */
export const syncOverlay = async (store: EngineStore, copier: OverlayCopier, spec: OverlaySpec): Promise<void> => {
  const previous = store.overlay(spec.name);
  const base = {
    name: spec.name,
    stats: previous?.stats ?? NO_STATS,
    digest: previous?.digest ?? null,
    source_digest: previous?.source_digest ?? null,
    spec_key: overlaySpecKey(spec),
  };
  store.setOverlay({ ...base, status: 'in_progress', error: null, spec_key: previous?.spec_key ?? null });
  try {
    const result = await copier.sync(spec);
    if (result.status === 'complete') {
      store.setOverlay({ ...base, status: 'complete', stats: result.stats, digest: result.digest, source_digest: result.digest, error: null });
    } else {
      store.setOverlay({ ...base, status: 'failed', stats: result.stats, error: result.error ?? 'copy failed' });
    }
  } catch (error) {
    store.setOverlay({ ...base, status: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
};

/** Measures the source digest of every overlay already copied (null where unreadable; the sync will say why). */
export const measureSources = async (store: EngineStore, copier: OverlayCopier, specs: OverlaySpec[]): Promise<Map<string, string>> => {
  const digests = new Map<string, string>();
  await Promise.all(
    specs.map(async (spec) => {
      const copy = store.overlay(spec.name);
      if (!copy || copy.status === 'in_progress' || copy.status === 'pending') return;
      try {
        digests.set(spec.name, await copier.digest(spec));
      } catch {
        // An unreadable source shows up when the sync runs.
      }
    }),
  );
  return digests;
};

/** Records measured source digests, so the planner sees which sources changed since their copy. */
export const recordSources = (store: EngineStore, digests: Map<string, string>): void => {
  for (const [name, digest] of digests) {
    const copy = store.overlay(name);
    if (copy && copy.status !== 'in_progress' && copy.source_digest !== digest) store.setOverlay({ ...copy, source_digest: digest });
  }
};
