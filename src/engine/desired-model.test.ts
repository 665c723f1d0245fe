// How apply and the API change the desired model: ownership, enabling, prune, inline overlays, needs/dependents.

import { describe, expect, it } from 'vitest';
import { PRUNE_REASON, applyManifest, emptyModel, upsertUnit, withDependents, withNeeds } from './desired-model.js';
import { desiredState, overlaySpec, unitSpec } from './testing/spec-builder.js';

const start = () => {
  let model = applyManifest(emptyModel(), desiredState([unitSpec('db'), unitSpec('old')], [overlaySpec('tmpl')]), { prune: true });
  model = upsertUnit(model, unitSpec('tool', { overlays: ['inline'] }), true, [overlaySpec('inline')]);
  return model;
};

describe('applyManifest', () => {
  it('marks manifest units it no longer declares for deletion, never API units', () => {
    const model = applyManifest(start(), desiredState([unitSpec('db')]), { prune: true });
    expect(model.units.old).toMatchObject({ removal: PRUNE_REASON });
    expect(model.units.tool).toMatchObject({ owner: 'api', enabled: true });
    expect(model.units.tool?.removal).toBeUndefined();
  });

  it('keeps them with prune false', () => {
    expect(applyManifest(start(), desiredState([unitSpec('db')]), { prune: false }).units.old?.removal).toBeUndefined();
  });

  it('enables every manifest unit and takes over an API unit it declares', () => {
    let model = upsertUnit(start(), unitSpec('db'), false);
    model = applyManifest(model, desiredState([unitSpec('db'), unitSpec('tool')]), { prune: true });
    expect(model.units.db).toMatchObject({ enabled: true, owner: 'manifest' });
    expect(model.units.tool).toMatchObject({ enabled: true, owner: 'manifest' });
  });

  it("keeps the inline overlays of remaining API units and replaces the manifest's", () => {
    const model = applyManifest(start(), desiredState([unitSpec('db')], [overlaySpec('other')]), { prune: true });
    expect(Object.keys(model.overlays).sort()).toEqual(['inline', 'other']);
  });
});

describe('upsertUnit', () => {
  it('creates API units disabled unless told otherwise, and keeps an existing unit enabled', () => {
    const model = upsertUnit(emptyModel(), unitSpec('x'));
    expect(model.units.x).toMatchObject({ owner: 'api', enabled: false });
    expect(upsertUnit(upsertUnit(model, unitSpec('x'), true), unitSpec('x', { args: ['-v'] })).units.x?.enabled).toBe(true);
  });
});

describe('withNeeds / withDependents', () => {
  const model = applyManifest(
    emptyModel(),
    desiredState([unitSpec('db'), unitSpec('api', { needs: ['db'] }), unitSpec('web', { env: { API: '${units.api.url}' } }), unitSpec('solo')]),
    { prune: true },
  );
  it.each([
    ['web needs api (by reference) and db', () => withNeeds(model, 'web').sort(), ['api', 'db', 'web']],
    ['db is needed by api and web', () => withDependents(model, 'db').sort(), ['api', 'db', 'web']],
    ['solo stands alone', () => withDependents(model, 'solo'), ['solo']],
  ])('%s', (_name, compute, expected) => {
    expect(compute()).toEqual(expected);
  });
});
