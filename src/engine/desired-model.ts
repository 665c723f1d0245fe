// How apply and imperative calls change the desired model: pure functions, so `plan` (dry run) and `apply` agree.

import type { DesiredState, OverlaySpec, UnitSpec } from '../manifest/types.js';
import type { DesiredModel, DesiredUnit } from './types.js';

/** The reason a pruned unit is deleted with. */
export const PRUNE_REASON = 'not in manifest (prune)';

/** A model with nothing in it. */
export const emptyModel = (project = ''): DesiredModel => ({ project, units: {}, overlays: {} });

/**
 * The model after applying a manifest: its units become manifest-owned and enabled (an apply means "run this");
 * manifest-owned units it no longer declares are marked for deletion unless prune is false; API-owned units stay.
 */
export const applyManifest = (model: DesiredModel, desired: DesiredState, options: { prune: boolean }): DesiredModel => {
  const units: Record<string, DesiredUnit> = {};
  for (const [name, unit] of Object.entries(model.units)) {
    if (desired.units[name]) continue;
    const prune = options.prune && unit.owner === 'manifest';
    units[name] = prune ? { ...unit, removal: unit.removal ?? PRUNE_REASON } : unit;
  }
  for (const [name, spec] of Object.entries(desired.units)) {
    const previous = model.units[name];
    units[name] = { spec, enabled: true, owner: 'manifest', ...(previous?.restart_requested ? { restart_requested: true } : {}) };
  }
  // Overlays are the manifest's, plus those API units it does not replace still need (declared inline through the API).
  const overlays: Record<string, OverlaySpec> = {};
  for (const unit of Object.values(units)) {
    if (unit.owner !== 'api') continue;
    for (const name of unit.spec.overlays) {
      const overlay = model.overlays[name];
      if (overlay) overlays[name] = overlay;
    }
  }
  return { project: desired.project, units, overlays: { ...overlays, ...desired.overlays } };
};

/** The model with one unit created or replaced through the API (a manifest unit keeps its owner), with its inline overlays. */
export const upsertUnit = (model: DesiredModel, spec: UnitSpec, enabled?: boolean, overlays: OverlaySpec[] = []): DesiredModel => {
  const previous = model.units[spec.name];
  const unit: DesiredUnit = {
    spec,
    enabled: enabled ?? (previous && !previous.removal ? previous.enabled : false),
    owner: previous?.owner ?? 'api',
  };
  const withOverlays = { ...model.overlays, ...Object.fromEntries(overlays.map((o) => [o.name, o])) };
  return { ...model, units: { ...model.units, [spec.name]: unit }, overlays: withOverlays };
};

/** The unit names `name` needs, transitively (units only, not overlays), name first. */
export const withNeeds = (model: DesiredModel, name: string): string[] => {
  const seen = new Set<string>();
  const visit = (unit: string): void => {
    if (seen.has(unit) || !model.units[unit]) return;
    seen.add(unit);
    for (const need of model.units[unit]?.spec.needs ?? []) visit(need.name);
    for (const ref of model.units[unit]?.spec.unit_refs ?? []) visit(ref);
  };
  visit(name);
  return [...seen];
};

/** The unit names that need `name`, transitively, name first. */
export const withDependents = (model: DesiredModel, name: string): string[] => {
  const seen = new Set<string>();
  const visit = (unit: string): void => {
    if (seen.has(unit)) return;
    seen.add(unit);
    for (const [other, desired] of Object.entries(model.units)) {
      if (desired.spec.needs.some((n) => n.name === unit) || (desired.spec.unit_refs ?? []).includes(unit)) visit(other);
    }
  };
  visit(name);
  return [...seen].filter((n) => model.units[n]);
};

/** The model with some units' fields changed (units that do not exist are skipped). */
export const patchUnits = (model: DesiredModel, names: string[], patch: Partial<DesiredUnit>): DesiredModel => {
  const units = { ...model.units };
  for (const name of names) {
    const unit = units[name];
    if (unit) units[name] = { ...unit, ...patch };
  }
  return { ...model, units };
};

/** The model without one unit (after its deletion completed). */
export const withoutUnit = (model: DesiredModel, name: string): DesiredModel => {
  const { [name]: _removed, ...units } = model.units;
  return { ...model, units };
};
