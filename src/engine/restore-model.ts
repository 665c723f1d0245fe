// The desired model a checkpoint restore converges to: pure, so the engine sets it in one step.

import type { DesiredModel, DesiredUnit } from './types.js';

/**
 * The recorded model with `running` units enabled and the other recorded units disabled (no pending removal or
 * restart request carried over); units the checkpoint lacks stay only to be deleted (disabled, removal `reason`).
 * The project name and overlays are the recorded ones.
 */
export const restoredModel = (current: DesiredModel, recorded: DesiredModel, running: ReadonlySet<string>, reason: string): DesiredModel => {
  const units: Record<string, DesiredUnit> = {};
  for (const [name, unit] of Object.entries(current.units)) {
    if (Object.hasOwn(recorded.units, name)) continue;
    units[name] = { ...unit, enabled: false, removal: unit.removal ?? reason, restart_requested: false };
  }
  for (const [name, unit] of Object.entries(recorded.units)) {
    const { removal: _removal, restart_requested: _restart, ...kept } = unit;
    units[name] = { ...kept, enabled: running.has(name) };
  }
  return { project: recorded.project, units, overlays: { ...recorded.overlays } };
};
