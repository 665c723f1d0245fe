// Checkpoints as data: which units count as running, what is recorded, the name rule, and the strict parser.

import { describe, expect, it } from 'vitest';
import { blankUnit } from '../engine/observed-reducer.js';
import { unitSpec } from '../engine/testing/spec-builder.js';
import type { DesiredModel, DesiredUnit, ObservedState, UnitPhase } from '../engine/types.js';
import { countsAsRunning, isCheckpointName, parseCheckpoint, runningUnits, serializeCheckpoint, takeCheckpoint } from './checkpoint.js';

const want = (patch: Partial<DesiredUnit> = {}): DesiredUnit => ({ spec: unitSpec('a'), enabled: true, owner: 'manifest', ...patch });

describe('countsAsRunning', () => {
  it.each<[string, DesiredUnit | undefined, UnitPhase | undefined, boolean]>([
    ['ready and enabled', want(), 'ready', true],
    ['running (health pending)', want(), 'running', true],
    ['starting', want(), 'starting', true],
    ['installing', want(), 'installing', true],
    ['stopped', want(), 'stopped', false],
    ['failed', want(), 'failed', false],
    ['in backoff (no live run)', want(), 'backoff', false],
    ['pending (waiting for needs)', want(), 'pending', false],
    ['stopping', want(), 'stopping', false],
    ['ready but disabled (a stop is coming)', want({ enabled: false }), 'ready', false],
    ['ready but being removed', want({ removal: 'removed' }), 'ready', false],
    ['observed only', undefined, 'ready', false],
    ['never observed', want(), undefined, false],
  ])('%s → %s', (_case, unit, phase, expected) => {
    expect(countsAsRunning(unit, phase)).toBe(expected);
  });
});

describe('isCheckpointName', () => {
  it.each([
    ['c1', true],
    ['before-deploy.2_b', true],
    ['0', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['', false],
    ['.hidden', false],
    ['-x', false],
    ['Upper', false],
    ['a/b', false],
    ['..', false],
    ['a b', false],
  ])('%j → %s', (name, expected) => {
    expect(isCheckpointName(name)).toBe(expected);
  });
});

describe('takeCheckpoint', () => {
  const desired: DesiredModel = {
    project: 'demo',
    units: {
      db: { spec: unitSpec('db'), enabled: true, owner: 'manifest', restart_requested: true },
      api: { spec: unitSpec('api', { needs: ['db'] }), enabled: false, owner: 'api' },
      old: { spec: unitSpec('old'), enabled: true, owner: 'manifest', removal: 'not in manifest (prune)' },
    },
    overlays: {},
  };
  const observed: ObservedState = {
    units: { db: { ...blankUnit('db'), phase: 'ready' }, api: { ...blankUnit('api'), phase: 'stopped' }, old: { ...blankUnit('old'), phase: 'ready' } },
    overlays: {},
  };

  it('records the desired model without pending removals or restart requests, each unit with fingerprint and running', () => {
    const checkpoint = takeCheckpoint('c1', { desired, observed }, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(checkpoint.created_at).toBe('2026-01-02T03:04:05.000Z');
    expect(checkpoint.units).toEqual([
      { name: 'api', running: false, fingerprint: unitSpec('api', { needs: ['db'] }).fingerprint, phase: 'stopped' },
      { name: 'db', running: true, fingerprint: unitSpec('db').fingerprint, phase: 'ready' },
    ]);
    expect(Object.keys(checkpoint.desired.units).sort()).toEqual(['api', 'db']);
    expect(checkpoint.desired.units.db).toEqual({ spec: unitSpec('db'), enabled: true, owner: 'manifest' });
    expect(checkpoint.desired.units.api?.owner).toBe('api');
    expect([...runningUnits(checkpoint)]).toEqual(['db']);
  });

  it('round-trips through serializeCheckpoint and parseCheckpoint', () => {
    const checkpoint = takeCheckpoint('c1', { desired, observed }, 0);
    const parsed = parseCheckpoint(serializeCheckpoint(checkpoint), 'c1');
    expect(parsed).toEqual({ ok: true, value: checkpoint });
  });
});

describe('parseCheckpoint', () => {
  const good = JSON.parse(
    serializeCheckpoint(
      takeCheckpoint('c1', { desired: { project: 'p', units: { a: want() }, overlays: {} }, observed: { units: {}, overlays: {} } }, 0),
    ),
  );
  const variant = (patch: (data: any) => void): string => {
    const data = structuredClone(good);
    patch(data);
    return JSON.stringify(data);
  };

  it.each([
    ['not JSON', '{', /not JSON/],
    ['not an object', '[]', /not a JSON object/],
    ['another version', variant((d) => (d.version = 2)), /version must be 1, got 2/],
    ['a bad name', variant((d) => (d.name = '../x')), /name must be a checkpoint name/],
    ['a bad time', variant((d) => (d.created_at = 'yesterday')), /created_at/],
    ['no desired model', variant((d) => delete d.desired), /desired must be an object/],
    ['a unit without enabled', variant((d) => delete d.desired.units.a.enabled), /desired\.units\.a must have spec and enabled/],
    ['a foreign owner', variant((d) => (d.desired.units.a.owner = 'x')), /owner/],
    ['a spec named differently', variant((d) => (d.desired.units.a.spec.name = 'b')), /does not match its key/],
    ['units not a list', variant((d) => (d.units = {})), /units must be a list/],
    ['a recorded unit without running', variant((d) => delete d.units[0].running), /units\[0\]\.running/],
    ['a recorded unit the model lacks', variant((d) => (d.units[0].name = 'zz')), /desired\.units lacks/],
  ])('refuses %s', (_case, text, message) => {
    const parsed = parseCheckpoint(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it('refuses a file whose recorded name differs from its file name', () => {
    expect(parseCheckpoint(JSON.stringify(good), 'other')).toEqual({ ok: false, error: 'name is "c1" but the file is named for "other"' });
  });
});
