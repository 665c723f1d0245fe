// effectiveFingerprint and the `${units.X...}` helpers: what makes a running unit "the same".

import { describe, expect, it } from 'vitest';
import { effectiveFingerprint, overlaySpecKey } from './fingerprint.js';
import { overlaySpec, unitSpec } from './testing/spec-builder.js';
import { findUnitRefs, resolveUnitRefs, substituteUnitRefs } from './unit-refs.js';

const spec = unitSpec('web', { fingerprint: 'abc' });
const none = { overlays: {}, refs: {} };

describe('effectiveFingerprint', () => {
  it.each([
    ['no overlays or references: the spec fingerprint itself', none, 'abc'],
  ])('%s', (_name, inputs, expected) => {
    expect(effectiveFingerprint(spec, inputs)).toBe(expected);
  });

  const variants: [string, Parameters<typeof effectiveFingerprint>[1]][] = [
    ['overlay d1', { overlays: { t: 'd1' }, refs: {} }],
    ['overlay d2', { overlays: { t: 'd2' }, refs: {} }],
    ['overlay not copied', { overlays: { t: null }, refs: {} }],
    ['ref 4000', { overlays: {}, refs: { '${units.api.port}': '4000' } }],
    ['ref 4001', { overlays: {}, refs: { '${units.api.port}': '4001' } }],
    ['overlay and ref', { overlays: { t: 'd1' }, refs: { '${units.api.port}': '4000' } }],
  ];

  it('changes with every overlay digest and every resolved reference', () => {
    const prints = variants.map(([, inputs]) => effectiveFingerprint(spec, inputs));
    expect(new Set([...prints, 'abc']).size).toBe(variants.length + 1);
  });

  it('changes with the spec fingerprint', () => {
    const inputs = { overlays: { t: 'd1' }, refs: {} };
    expect(effectiveFingerprint({ fingerprint: 'x' }, inputs)).not.toBe(effectiveFingerprint({ fingerprint: 'y' }, inputs));
  });

  it('does not depend on key order', () => {
    const a = effectiveFingerprint(spec, { overlays: { a: '1', b: '2' }, refs: { x: '1', y: '2' } });
    const b = effectiveFingerprint(spec, { overlays: { b: '2', a: '1' }, refs: { y: '2', x: '1' } });
    expect(a).toBe(b);
  });
});

describe('overlaySpecKey', () => {
  it.each([
    ['strategy', { strategy: 'smart' as const }, false],
    ['target', { target: '/elsewhere' }, false],
    ['ignore', { ignore: ['dist'] }, false],
    ['needs (not part of the copy)', { needs: [{ name: 'db', restart: false }] }, true],
    ['location', { location: { file: 'x', line: 1, col: 1 } }, true],
  ])('%s changes the key: %s', (_field, change, same) => {
    expect(overlaySpecKey(overlaySpec('t', change)) === overlaySpecKey(overlaySpec('t'))).toBe(same);
  });
});

describe('unit references', () => {
  const ui = unitSpec('ui', {
    args: ['--api', '${units.api.url}'],
    env: { API_PORT: '${units.api.port}', DB: 'postgres://localhost:${units.db.port}/x', PLAIN: '${HOME}' },
  });

  it('finds references in args and env values, once each, sorted', () => {
    expect(findUnitRefs(ui).map((r) => `${r.unit}.${r.field}`)).toEqual(['api.port', 'api.url', 'db.port']);
  });

  it.each([
    ['every port known', { api: 4000, db: 5432 }, { '${units.api.port}': '4000', '${units.api.url}': 'http://127.0.0.1:4000', '${units.db.port}': '5432' }],
    ['a port missing', { api: 4000 }, null],
  ])('resolves: %s', (_name, ports, expected) => {
    expect(resolveUnitRefs(ui, (unit) => (ports as Record<string, number>)[unit] ?? null)).toEqual(expected);
  });

  it('substitutes resolved tokens and leaves other ${...} alone', () => {
    expect(substituteUnitRefs('postgres://localhost:${units.db.port}/x ${HOME} ${units.zz.port}', { '${units.db.port}': '5432' })).toBe(
      'postgres://localhost:5432/x ${HOME} ${units.zz.port}',
    );
  });
});
