// Checks that look across units: unique names, `${units.NAME...}` targets, and that `user`s exist.

import { isAbsolute, relative } from 'node:path';
import type { Diagnostic } from '../shared/diagnostic.js';
import { didYouMean } from '../shared/suggest.js';
import type { UnitRefUse } from './interpolate.js';
import { inlineOverlayName } from './resolve.js';
import { formatPath, type Locate, type Path } from './source-path.js';
import type { OverlaySpec, UnitSpec } from './types.js';

const error = (code: string, message: string, at: Path, locate: Locate, options: { key?: boolean; fragment?: string; hint?: string } = {}): Diagnostic => {
  const location = locate(at, options);
  return { severity: 'error', code, message, field: formatPath(at), ...(location ? { location } : {}), ...(options.hint ? { hint: options.hint } : {}) };
};

/** Unit names are unique across services and servers, and no overlay (named or inline) shares a name with anything. */
export const checkUniqueNames = (data: unknown, locate: Locate): { diagnostics: Diagnostic[]; duplicates: Set<string> } => {
  // Read from the data as written (entries with schema errors included), so a clash is reported whatever else is wrong.
  const manifest = (isRecord(data) ? data : {}) as { services?: unknown; servers?: unknown; overlays?: unknown };
  const services = isRecord(manifest.services) ? manifest.services : {};
  const servers = isRecord(manifest.servers) ? manifest.servers : {};
  const overlays = Array.isArray(manifest.overlays) ? (manifest.overlays as unknown[]) : [];
  const declared: { name: string; at: Path; key: boolean }[] = [
    ...Object.keys(services).map((name) => ({ name, at: ['services', name], key: true })),
    ...Object.keys(servers).map((name) => ({ name, at: ['servers', name], key: true })),
    ...overlays.flatMap((overlay, index) =>
      isRecord(overlay) && typeof overlay.name === 'string' ? [{ name: overlay.name, at: ['overlays', index, 'name'], key: false }] : [],
    ),
    ...Object.entries(servers)
      .filter(([, server]) => isRecord(server) && server.overlay !== undefined)
      .map(([name]) => ({ name: inlineOverlayName(name), at: ['servers', name, 'overlay'], key: true })),
  ];
  // In file order, so "declared twice: X (line 3) and Y (line 5)" reads top to bottom.
  const position = new Map(declared.map((e) => [e, locate(e.at, { key: e.key })] as const));
  const rank = (e: (typeof declared)[number]): number => (position.get(e) ? position.get(e)!.line * 100_000 + position.get(e)!.col : 0);
  declared.sort((a, b) => rank(a) - rank(b));
  const first = new Map<string, { at: Path; key: boolean }>();
  const diagnostics: Diagnostic[] = [];
  const duplicates = new Set<string>();
  for (const entry of declared) {
    const earlier = first.get(entry.name);
    if (!earlier) {
      first.set(entry.name, entry);
      continue;
    }
    duplicates.add(entry.name);
    const line = (e: { at: Path; key: boolean }): string => {
      const location = locate(e.at, { key: e.key });
      return location ? ` (line ${location.line})` : '';
    };
    diagnostics.push(
      error('duplicate-name', `\`${entry.name}\` is declared twice: ${formatPath(earlier.at)}${line(earlier)} and ${formatPath(entry.at)}${line(entry)}`, entry.at, locate, {
        key: entry.key,
        hint: 'unit and overlay names are unique across services, servers and overlays (an inline overlay is named `<server>-overlay`)',
      }),
    );
  }
  return { diagnostics, duplicates };
};

/** Every `${units.NAME.port|url}` names another unit; returns the problems and the names that were wrong. */
export const checkUnitRefs = (
  uses: readonly { unit: string; refs: readonly UnitRefUse[] }[],
  names: { units: ReadonlySet<string>; overlays: ReadonlySet<string>; dropped: ReadonlySet<string> },
  locate: Locate,
): { diagnostics: Diagnostic[]; bad: Set<string> } => {
  const diagnostics: Diagnostic[] = [];
  const bad = new Set<string>();
  for (const { unit, refs } of uses) {
    for (const ref of refs) {
      const site = { fragment: ref.token };
      if (ref.name === unit) {
        diagnostics.push(error('unit-ref', `\`${ref.token}\` refers to ${unit} itself`, ref.path, locate, { ...site, hint: 'a unit reads its own assigned port from $PORT' }));
      } else if (names.overlays.has(ref.name)) {
        bad.add(ref.name);
        diagnostics.push(error('unit-ref', `\`${ref.token}\`: ${ref.name} is an overlay, and only units have a port`, ref.path, locate, site));
      } else if (!names.units.has(ref.name) && !names.dropped.has(ref.name)) {
        bad.add(ref.name);
        const hint = didYouMean(ref.name, names.units);
        diagnostics.push(error('unit-ref', `\`${ref.token}\` refers to unknown unit \`${ref.name}\``, ref.path, locate, { ...site, ...(hint ? { hint } : {}) }));
      }
    }
  }
  return { diagnostics, bad };
};

/** A unit's `user` must exist on this machine (a container unit's user is the image's, checked by the runtime). */
export const checkUsers = (units: readonly { spec: UnitSpec; base: Path }[], userExists: (name: string) => boolean, locate: Locate): Diagnostic[] =>
  units
    .filter(({ spec }) => spec.user !== null && !spec.container && !userExists(spec.user))
    .map(({ spec, base }) =>
      error('unknown-user', `${formatPath([...base, 'user']) || 'user'}: there is no user \`${spec.user}\` on this machine`, [...base, 'user'], locate, {
        hint: 'create the user, or remove `user` to run as the user running sbx',
      }),
    );

/**
 * A `port` asked for with `strict_port: true` by one unit and also asked for by another cannot work: one of them fails
 * at start (reliability S22). Two non-strict units may share a wish; the second gets the next free port (spec §2).
 */
export const checkPorts = (units: readonly { spec: UnitSpec; base: Path }[], locate: Locate): Diagnostic[] => {
  const byPort = new Map<number, { spec: UnitSpec; base: Path }[]>();
  for (const unit of units) if (unit.spec.port !== null) byPort.set(unit.spec.port, [...(byPort.get(unit.spec.port) ?? []), unit]);
  const diagnostics: Diagnostic[] = [];
  for (const [port, claimants] of byPort) {
    if (claimants.length < 2 || !claimants.some((c) => c.spec.strict_port)) continue;
    const [first, ...rest] = claimants as [{ spec: UnitSpec; base: Path }, ...{ spec: UnitSpec; base: Path }[]];
    for (const other of rest) {
      diagnostics.push(
        error('duplicate-port', `port ${port} is asked for by both ${first.spec.name} and ${other.spec.name}, and one of them has strict_port: true`, [...other.base, 'port'], locate, {
          hint: 'give each unit its own port, or drop strict_port so the second one takes the next free port',
        }),
      );
    }
  }
  return diagnostics;
};

/** True when `inner` is `outer` or lies inside it (lexically). */
const within = (inner: string, outer: string): boolean => {
  const rel = relative(outer, inner);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('../'));
};

/**
 * An overlay copies into (and prunes) its target: the target may not be `/`, the project folder or a folder holding it,
 * nor overlap the overlay's own source (a copy into itself). Other places, even outside the project, are allowed (the
 * seeds lay templates down at /app).
 */
export const checkOverlayTargets = (overlays: readonly { spec: OverlaySpec; at: Path }[], dir: string, locate: Locate): Diagnostic[] =>
  overlays.flatMap(({ spec, at }) => {
    const why =
      spec.target === '/'
        ? 'is the file system root'
        : spec.target === dir
          ? 'is the project folder'
          : within(dir, spec.target)
            ? `holds the project folder ${dir}`
            : within(spec.target, spec.source) || within(spec.source, spec.target)
              ? `overlaps its own source ${spec.source}`
              : null;
    if (!why) return [];
    return [error('overlay-target', `overlay ${spec.name}: target ${spec.target} ${why}`, [...at, 'target'], locate, { hint: 'copy into a folder of its own, e.g. ./.work/<name>' })];
  });

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
