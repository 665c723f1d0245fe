// The loader's steps in order, over one parsed manifest; pure given its injected reader and user lookup.
//
//   parse → validate → project scope (env files, interpolation) → per unit: interpolate → merge env → resolve
//         → cross-checks (unique names, unit references, users) → dependency graph
//
// Problems are collected in one pass: an entry with errors is set aside and the rest is still checked, but nothing
// that depends on a broken part is checked again (so one mistake never shows up as several).

import { dirname } from 'node:path';
import { buildDependencyGraph, type GraphNode } from '../graph/dependency-graph.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { err, ok, type Result } from '../shared/result.js';
import { checkOverlayTargets, checkPorts, checkUniqueNames, checkUnitRefs, checkUsers } from './cross-checks.js';
import type { ReadFile } from './env-files.js';
import type { ParsedManifest } from './parse.js';
import { resolveProjectScope } from './project-scope.js';
import { inlineOverlayName } from './resolve.js';
import { rawUnitsOf, type RawNeed, type RawUnit } from './raw-manifest.js';
import { formatPath, type Locate, type Path } from './source-path.js';
import type { DesiredState, OverlaySpec } from './types.js';
import { runUnitPipeline, type ResolvedUnit } from './unit-pipeline.js';
import { validateManifest } from './validate.js';

/** The outside world the pipeline reads, injected so it runs on in-memory files in tests. */
export interface PipelineIo {
  /** sbx's own environment (the lowest layer of every unit's env, and what `${VAR}` sees). */
  env: Readonly<Record<string, string | undefined>>;
  readFile: ReadFile;
  userExists: (name: string) => boolean;
}

/** Turns a parsed manifest into the desired state, or every problem found. */
export const buildDesiredState = (parsed: ParsedManifest, io: PipelineIo): Result<DesiredState, Diagnostic[]> => {
  const { locate } = parsed;
  const diagnostics: Diagnostic[] = [];
  const fail = (more: Diagnostic[] = []) => err(sortDiagnostics([...diagnostics, ...more]));

  // 2. validate (entries with errors are set aside; names are checked on the data as written)
  const validated = validateManifest(parsed);
  const names = checkUniqueNames(parsed.data, locate);
  diagnostics.push(...validated.diagnostics, ...names.diagnostics);
  if (!validated.value) return fail();
  const { manifest } = validated.value;
  const dropped = new Set(validated.value.droppedNames);
  const dir = dirname(parsed.file);

  // 3. the project's env files, `${VAR}` values and overlays
  const project = resolveProjectScope(manifest, dir, io, locate);
  if (!project.ok) return fail(project.error);

  // 4. each unit: interpolate → merge env → resolve
  const rawUnits = rawUnitsOf(manifest);
  const overlayNames = new Set([...project.value.overlays.map((o) => o.name), ...rawUnits.flatMap(inlineOverlayNameOf)]);
  const resolved: { raw: RawUnit; unit: ResolvedUnit }[] = [];
  for (const raw of rawUnits) {
    const context = { dir, projectLayers: project.value.layers, vars: project.value.vars, overlayNames, locate, readFile: io.readFile };
    const result = runUnitPipeline(raw, context);
    if (result.ok) resolved.push({ raw, unit: result.value });
    else {
      diagnostics.push(...result.error);
      dropped.add(raw.name);
    }
  }

  // 5. across units: `${units.NAME...}` targets, users, strict ports asked for twice, overlay targets
  const units = new Set(rawUnits.map((u) => u.name));
  const refs = checkUnitRefs(
    resolved.map(({ raw, unit }) => ({ unit: raw.name, refs: unit.refs })),
    { units, overlays: overlayNames, dropped },
    locate,
  );
  diagnostics.push(...refs.diagnostics);
  diagnostics.push(...checkUsers(resolved.map(({ raw, unit }) => ({ spec: unit.spec, base: raw.base })), io.userExists, locate));
  diagnostics.push(...checkPorts(resolved.map(({ raw, unit }) => ({ spec: unit.spec, base: raw.base })), locate));
  const writtenOverlays = Array.isArray((parsed.data as { overlays?: unknown } | null)?.overlays) ? ((parsed.data as { overlays: unknown[] }).overlays) : [];
  const overlayAt = (name: string): Path => ['overlays', writtenOverlays.findIndex((o) => (o as { name?: unknown } | null)?.name === name)];
  diagnostics.push(
    ...checkOverlayTargets(
      [
        ...project.value.overlays.map((spec) => ({ spec, at: overlayAt(spec.name) })),
        ...resolved.flatMap(({ raw, unit }) => (unit.inlineOverlay ? [{ spec: unit.inlineOverlay, at: [...raw.base, 'overlay'] }] : [])),
      ],
      dir,
      locate,
    ),
  );

  // 6. the dependency graph (needs already reported as wrong are left out, so they are not reported twice)
  const overlays: OverlaySpec[] = [...project.value.overlays, ...resolved.flatMap(({ unit }) => (unit.inlineOverlay ? [unit.inlineOverlay] : []))];
  const nodes: GraphNode[] = [
    ...resolved.map(({ unit }): GraphNode => ({ name: unit.spec.name, kind: 'unit', needs: unit.spec.needs })),
    ...overlays.map((o): GraphNode => ({ name: o.name, kind: 'overlay', needs: o.needs })),
  ].map((node) => ({ ...node, needs: node.needs.filter((n) => !refs.bad.has(n.name) && !names.duplicates.has(n.name)) }));
  const graph = buildDependencyGraph(nodes, { alsoKnown: dropped, needSite: needSite(manifest.overlays ?? [], resolved, locate) });
  if (!graph.ok) diagnostics.push(...graph.error);

  if (diagnostics.some((d) => d.severity === 'error')) return fail();
  return ok({
    project: project.value.name,
    manifest_path: parsed.file,
    dir,
    units: Object.fromEntries(resolved.map(({ unit }) => [unit.spec.name, unit.spec])),
    overlays: Object.fromEntries(overlays.map((o) => [o.name, o])),
    inputs: [...new Set([parsed.file, ...project.value.inputs, ...resolved.flatMap(({ unit }) => unit.inputs)])],
  });
};

const inlineOverlayNameOf = (unit: RawUnit): string[] => (unit.kind === 'server' && unit.body.overlay ? [inlineOverlayName(unit.name)] : []);

/** Locates a need at its `needs` entry; implicit needs (inline overlay, unit references) at what implies them. */
const needSite = (
  rawOverlays: readonly { name: string; needs: readonly RawNeed[] }[],
  resolved: readonly { raw: RawUnit; unit: ResolvedUnit }[],
  locate: Locate,
) => {
  const bases = new Map<string, { base: Path; needs: readonly RawNeed[]; unit?: ResolvedUnit }>();
  rawOverlays.forEach((o, index) => bases.set(o.name, { base: ['overlays', index], needs: o.needs }));
  for (const { raw, unit } of resolved) bases.set(raw.name, { base: raw.base, needs: raw.body.needs, unit });
  return (node: string, need: string) => {
    const entry = bases.get(node);
    if (!entry) return {};
    const index = entry.needs.findIndex((n) => (typeof n === 'string' ? n : n.name) === need);
    const ref = entry.unit?.refs.find((r) => r.name === need);
    const at: Path = index >= 0 ? [...entry.base, 'needs', index] : ref ? ref.path : [...entry.base, 'overlay'];
    const location = locate(at, ref && index < 0 ? { fragment: ref.token } : { key: index < 0 });
    return { field: formatPath(at), ...(location ? { location } : {}) };
  };
};

/** File, then line, then column; unlocated diagnostics last, in the order found. */
export const sortDiagnostics = (diagnostics: readonly Diagnostic[]): Diagnostic[] =>
  [...diagnostics].sort((a, b) => {
    if (!a.location || !b.location) return (a.location ? 0 : 1) - (b.location ? 0 : 1);
    return a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.col - b.location.col;
  });
