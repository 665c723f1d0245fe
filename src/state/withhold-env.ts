// Which environment values may be written to disk, and how withheld ones are put back: pure functions.
//
// The state file (and checkpoints) never hold a value that came from an env file, from sbx's own environment, or of a
// variable whose name looks secret. Such a variable is kept as { value: '', withheld: true, digest, source, secret }:
// a restarted daemon re-derives the value from its source (the env file, the manifest, its own environment) and uses
// it only if its digest is the one applied. Values given inline in an API body have no other source: when their name
// looks secret they are returned apart (`kept`, by digest) for a separate 0600 file, never in state.json.

import { createHash } from 'node:crypto';
import type { DesiredModel, ObservedState, UnitOwner } from '../engine/types.js';
import type { EnvVar, UnitSpec } from '../manifest/types.js';
import type { SavedState } from './types.js';

/** Values kept apart from the state file, by digest. */
export type KeptValues = Record<string, string>;

/** `sha256:<hex>` of a value: how a withheld value is recognised when it is re-derived. */
export const envDigest = (value: string): string => `sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;

/** Whether a variable's value stays off disk: it came from an env file or sbx's environment, or its name looks secret. */
export const isWithheldOnDisk = (variable: EnvVar): boolean =>
  variable.source.kind === 'env-file' || variable.source.kind === 'sbx-environment' || variable.secret;

/** The variable as the state file holds it (sbx's environment is not even digested: it is re-read as it is now). */
const withheldVar = (variable: EnvVar): EnvVar => {
  const { source, secret } = variable;
  if (variable.withheld) return { value: '', source, secret, withheld: true, ...(variable.digest ? { digest: variable.digest } : {}) };
  if (source.kind === 'sbx-environment') return { value: '', source, secret, withheld: true };
  return { value: '', source, secret, withheld: true, digest: envDigest(variable.value) };
};

/** A value only an API body gave (not from a file or sbx's environment): the daemon cannot re-derive it. */
const onlyInApiBody = (variable: EnvVar, owner: UnitOwner): boolean =>
  owner === 'api' && !variable.withheld && (variable.source.kind === 'manifest' || variable.source.kind === 'injected');

/** A spec with its disk-unsafe values withheld; API-only secret values are added to `kept`. */
export const withholdSpec = (spec: UnitSpec, owner: UnitOwner, kept: KeptValues): UnitSpec => {
  let env: Record<string, EnvVar> | null = null;
  for (const [name, variable] of Object.entries(spec.env ?? {})) {
    if (!isWithheldOnDisk(variable) && !variable.withheld) continue;
    env ??= { ...spec.env };
    const safe = withheldVar(variable);
    if (onlyInApiBody(variable, owner) && safe.digest) kept[safe.digest] = variable.value;
    env[name] = safe;
  }
  return env ? { ...spec, env } : spec;
};

/** A desired model safe to write to disk (state file, checkpoints), and the API-only values it withheld. */
export const withholdDesired = (desired: DesiredModel, kept: KeptValues = {}): { desired: DesiredModel; kept: KeptValues } => {
  const units: DesiredModel['units'] = {};
  for (const [name, unit] of Object.entries(desired.units)) units[name] = { ...unit, spec: withholdSpec(unit.spec, unit.owner, kept) };
  return { desired: { ...desired, units }, kept };
};

/** The observed units' start records with their values withheld (they are used only to say what changed). */
const withholdObserved = (observed: ObservedState, owners: (name: string) => UnitOwner, kept: KeptValues): ObservedState => {
  const units: ObservedState['units'] = {};
  for (const [name, unit] of Object.entries(observed.units)) {
    units[name] = unit.started ? { ...unit, started: { ...unit.started, spec: withholdSpec(unit.started.spec, owners(name), kept) } } : unit;
  }
  return { ...observed, units };
};

/** The whole state as it may be written: no disk-unsafe value anywhere; API-only secret values returned apart. */
export const withholdSavedState = (state: SavedState): { state: SavedState; kept: KeptValues } => {
  const kept: KeptValues = {};
  const { desired } = withholdDesired(state.desired, kept);
  const owners = (name: string): UnitOwner => state.desired.units[name]?.owner ?? 'manifest';
  return { state: { ...state, desired, observed: withholdObserved(state.observed, owners, kept) }, kept };
};

/** Finds a withheld variable's value now: `undefined` when its source no longer has it. */
export type ValueLookup = (unit: string, owner: UnitOwner, name: string, variable: EnvVar) => string | undefined;

/** A desired model with (optionally) start records: a saved state, or a checkpoint's model with nothing observed. */
export interface WithEnv {
  desired: DesiredModel;
  observed: ObservedState;
}

/** What filling in found: the state and the variables still withheld (`unit: NAME`). */
export interface Filled<T extends WithEnv = SavedState> {
  state: T;
  missing: string[];
}

/**
 * Puts withheld values back where `lookup` finds them and their digest matches (sbx's environment: whatever it holds
 * now; a variable it no longer has is dropped, as an apply would). Others stay withheld.
 */
export const fillWithheld = <T extends WithEnv>(state: T, lookup: ValueLookup): Filled<T> => {
  const missing = new Set<string>();
  const fill = (spec: UnitSpec, owner: UnitOwner, report: boolean): UnitSpec => {
    let env: Record<string, EnvVar> | null = null;
    for (const [name, variable] of Object.entries(spec.env ?? {})) {
      if (!variable.withheld) continue;
      env ??= { ...spec.env };
      const found = lookup(spec.name, owner, name, variable);
      const { source, secret } = variable;
      if (source.kind === 'sbx-environment') {
        if (found === undefined) delete env[name];
        else env[name] = { value: found, source, secret };
      } else if (found !== undefined && variable.digest === envDigest(found)) {
        env[name] = { value: found, source, secret };
      } else if (report) {
        missing.add(`${spec.name}: ${name}`);
      }
    }
    return env ? { ...spec, env } : spec;
  };
  const ownerOf = (name: string): UnitOwner => state.desired.units[name]?.owner ?? 'manifest';
  const units: DesiredModel['units'] = {};
  for (const [name, unit] of Object.entries(state.desired.units)) units[name] = { ...unit, spec: fill(unit.spec, unit.owner, true) };
  const observed: ObservedState['units'] = {};
  for (const [name, unit] of Object.entries(state.observed.units)) {
    observed[name] = unit.started ? { ...unit, started: { ...unit.started, spec: fill(unit.started.spec, ownerOf(name), false) } } : unit;
  }
  return {
    state: { ...state, desired: { ...state.desired, units }, observed: { ...state.observed, units: observed } },
    missing: [...missing].sort(),
  };
};

/** Every value a model holds now that the state file would withhold, by digest (a checkpoint restore looks here too). */
export const knownValues = (desired: DesiredModel): KeptValues => {
  const known: KeptValues = {};
  for (const unit of Object.values(desired.units)) {
    for (const variable of Object.values(unit.spec.env ?? {})) {
      if (!variable.withheld && isWithheldOnDisk(variable)) known[envDigest(variable.value)] = variable.value;
    }
  }
  return known;
};
