// The restore answer from before/after snapshots: disjoint started/stopped/failed lists, plus restarted, unchanged,
// deleted and the reasons of failures.

import { describe, expect, it } from 'vitest';
import { blankUnit } from '../engine/observed-reducer.js';
import { unitSpec } from '../engine/testing/spec-builder.js';
import type { DesiredModel, Hold, ObservedUnit, UnitPhase } from '../engine/types.js';
import type { CheckpointUnit } from '../state/checkpoint.js';
import { restoreOutcome } from './restore-outcome.js';

type Seen = [UnitPhase, string?, Partial<ObservedUnit>?];

const snap = (units: Record<string, Seen>, holds: Hold[] = []) => {
  const desired: DesiredModel = {
    project: 'p',
    units: Object.fromEntries(Object.keys(units).map((n) => [n, { spec: unitSpec(n), enabled: true, owner: 'manifest' as const }])),
    overlays: {},
  };
  const observed = {
    units: Object.fromEntries(Object.entries(units).map(([n, [phase, run, extra]]) => [n, { ...blankUnit(n), phase, run_id: run ?? null, ...extra }])),
    overlays: {},
  };
  return { desired, observed, holds };
};

const rec = (running: string[], stopped: string[] = []): CheckpointUnit[] => [
  ...running.map((name) => ({ name, running: true, fingerprint: 'f', phase: 'ready' as const })),
  ...stopped.map((name) => ({ name, running: false, fingerprint: 'f', phase: 'stopped' as const })),
];

const settled = { timedOut: false, ms: 1000 };

describe('restoreOutcome', () => {
  it('sorts every unit into exactly one list', () => {
    const before = snap({ same: ['ready', 'r1'], changed: ['ready', 'r1'], down: ['stopped'], gone: ['failed'], up: ['ready', 'r1'], extra: ['ready', 'r1'], idle: ['stopped'] });
    const after = snap({ same: ['ready', 'r1'], changed: ['ready', 'r2'], down: ['ready', 'r3'], gone: ['ready', 'r4'], up: ['stopped'], back: ['ready', 'r5'] });
    delete after.desired.units.extra;
    const outcome = restoreOutcome(rec(['same', 'changed', 'down', 'gone', 'back'], ['up']), before, after, settled);
    expect(outcome).toEqual({
      started_services: ['back', 'down', 'gone'],
      stopped_services: ['extra', 'up'],
      failed_services: [],
      failures: {},
      restarted_services: ['changed'],
      unchanged_services: ['same'],
      deleted_services: ['extra', 'idle'],
      timed_out: false,
    });
  });

  it('a recorded running unit that is not ready fails with its reason; a held dependent with the hold message', () => {
    const before = snap({ flaky: ['stopped'], dep: ['stopped'], ok: ['stopped'] });
    const hold: Hold = { unit: 'dep', reason: 'dependency-failed', on: ['flaky'], message: 'needs flaky, which failed: exit code 1', terminal: true };
    const after = snap({ flaky: ['failed', 'r1', { last_error: 'exit code 1' }], dep: ['stopped'], ok: ['ready', 'r2'] }, [hold]);
    const outcome = restoreOutcome(rec(['flaky', 'dep', 'ok']), before, after, settled);
    expect(outcome.failed_services).toEqual(['dep', 'flaky']);
    expect(outcome.failures).toEqual({ dep: 'needs flaky, which failed: exit code 1', flaky: 'exit code 1' });
    expect(outcome.started_services).toEqual(['ok']);
  });

  it('was running, should run, and failed: failed only (not also stopped)', () => {
    const outcome = restoreOutcome(rec(['a']), snap({ a: ['ready', 'r1'] }), snap({ a: ['failed', 'r2', { last_error: 'exit code 2' }] }), settled);
    expect(outcome).toMatchObject({ failed_services: ['a'], stopped_services: [], started_services: [] });
  });

  it('at the timeout, a unit not yet ready and one not yet down are failed with what they were doing', () => {
    const waiting: Hold = { unit: 'slow', reason: 'waiting-for-needs', on: ['db'], message: 'waiting for db', terminal: false };
    const outcome = restoreOutcome(
      rec(['slow', 'db'], ['stubborn']),
      snap({ slow: ['stopped'], db: ['stopped'], stubborn: ['ready', 'r1'] }),
      snap({ slow: ['stopped'], db: ['running', 'r2'], stubborn: ['stopping', 'r1'] }, [waiting]),
      { timedOut: true, ms: 5000 },
    );
    expect(outcome.timed_out).toBe(true);
    expect(outcome.failures).toEqual({
      db: 'not ready within 5000 ms (running)',
      slow: 'not ready within 5000 ms (stopped: waiting for db)',
      stubborn: 'still stopping (the checkpoint has it stopped)',
    });
    expect(outcome.stopped_services).toEqual([]);
  });
});
