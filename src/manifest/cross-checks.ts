// Checks that look across units: unique names, `${units.NAME...}` targets, and that `user`s exist.

import type { Diagnostic } from '../shared/diagnostic.js';
import { didYouMean } from '../shared/suggest.js';
import type { UnitRefUse } from './interpolate.js';
import { inlineOverlayName } from './resolve.js';
import { formatPath, type Locate, type Path } from './source-path.js';
import type { UnitSpec } from './types.js';

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

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
