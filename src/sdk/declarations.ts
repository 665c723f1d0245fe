// Pure: servers and overlays declared at `Sandbox.connect({ dir, servers, overlays })` as a manifest document
// (the spec's "servers may be declared when the project starts, in the manifest"). Paths are made absolute against
// the project folder, and a server waits for every declared overlay whose target holds its path (or lies inside it).

import { isAbsolute, relative, resolve } from 'node:path';
import { SbxError } from './errors.js';
import type { OverlayDeclaration, ServerStartOptions } from './types.js';

/** What `Sandbox.connect` may declare. */
export interface Declarations {
  servers?: ServerStartOptions[];
  overlays?: OverlayDeclaration[];
}

/** A manifest document (what sandbox.yaml would hold), ready to be written as YAML. */
export interface DeclaredManifest {
  version: 1;
  name: string;
  overlays: Record<string, unknown>[];
  servers: Record<string, Record<string, unknown>>;
}

const invalid = (field: string, message: string): SbxError => new SbxError(0, 'invalid-option', `${field}: ${message}`, field);

/** True when one folder is, or lies inside, the other. */
const overlaps = (a: string, b: string): boolean => {
  const inside = (inner: string, outer: string): boolean => {
    const rel = relative(outer, inner);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  return inside(a, b) || inside(b, a);
};

const needName = (need: unknown): string | null =>
  typeof need === 'string' ? need : need && typeof need === 'object' && typeof (need as { name?: unknown }).name === 'string' ? (need as { name: string }).name : null;

/** The project name a folder gives (the manifest's name pattern; `sandbox` when nothing usable is left). */
export const projectNameOf = (folderName: string): string => {
  const cleaned = folderName.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return cleaned || 'sandbox';
};

/** The manifest for the declarations; rejects (SbxError, field `servers[i].slug` etc.) on what no manifest could hold. */
export const declaredManifest = (dir: string, project: string, declarations: Declarations): DeclaredManifest => {
  const at = (p: string): string => resolve(dir, p);
  const overlays = (declarations.overlays ?? []).map((o, i) => {
    const field = `overlays[${i}]`;
    if (!o || typeof o !== 'object') throw invalid(field, 'expected an object { source, target, strategy? }');
    if (typeof o.source !== 'string' || !o.source) throw invalid(`${field}.source`, 'expected the folder to copy from');
    if (typeof o.target !== 'string' || !o.target) throw invalid(`${field}.target`, 'expected the folder to copy to');
    return { ...o, name: o.name ?? `overlay-${i + 1}`, source: at(o.source), target: at(o.target) };
  });
  const servers: Record<string, Record<string, unknown>> = {};
  (declarations.servers ?? []).forEach((s, i) => {
    const field = `servers[${i}]`;
    if (!s || typeof s !== 'object') throw invalid(field, 'expected an object { slug, start, ... }');
    const { slug, ...body } = s;
    if (typeof slug !== 'string' || !slug) throw invalid(`${field}.slug`, 'expected the server’s slug (its name)');
    if (Object.hasOwn(servers, slug)) throw invalid(`${field}.slug`, `"${slug}" is declared twice`);
    if (typeof body.start !== 'string' || !body.start) throw invalid(`${field}.start`, 'expected the shell line that starts the server');
    const path = at(typeof body.path === 'string' ? body.path : '.');
    const entry: Record<string, unknown> = { ...body, path };
    if (body.overlay && typeof body.overlay === 'object') {
      entry.overlay = { ...body.overlay, source: at(body.overlay.source), target: at(body.overlay.target) };
    }
    const needs = [...(body.needs ?? [])];
    for (const o of overlays) {
      if (overlaps(path, o.target) && !needs.some((n) => needName(n) === o.name)) needs.push(o.name);
    }
    if (needs.length > 0) entry.needs = needs;
    servers[slug] = entry;
  });
  return { version: 1, name: project, overlays, servers };
};
