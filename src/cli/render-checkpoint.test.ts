// Human output of `sbx checkpoint restore|list|create`.

import { describe, expect, it } from 'vitest';
import type { CheckpointView, RestoreResult } from '../daemon/api-types.js';
import { renderCheckpointList, renderCreated, renderRestore } from './render-checkpoint.js';

const result = (patch: Partial<RestoreResult> = {}): RestoreResult => ({
  started_services: [],
  stopped_services: [],
  failed_services: [],
  failures: {},
  restarted_services: [],
  unchanged_services: [],
  deleted_services: [],
  timed_out: false,
  ...patch,
});

const view = (name: string, created_at: string, running: boolean[]): CheckpointView => ({
  name,
  created_at,
  project: 'p',
  units: running.map((r, i) => ({ name: `u${i}`, running: r, fingerprint: 'f', phase: r ? 'ready' : 'stopped' })),
});

describe('renderRestore', () => {
  it.each<[string, RestoreResult, string]>([
    ['nothing to do', result({ unchanged_services: ['a'] }), '✔ restored c1: 0 started, 0 stopped, 0 failed\n'],
    [
      'every list, deleted-only units once',
      result({ started_services: ['a', 'b'], stopped_services: ['x'], restarted_services: ['w'], deleted_services: ['x', 'idle'] }),
      'started    a, b\nstopped    x\nrestarted  w\ndeleted    idle\n✔ restored c1: 2 started, 1 stopped, 0 failed\n',
    ],
    [
      'failures with reasons',
      result({ failed_services: ['f'], failures: { f: 'exit code 1' } }),
      'failed     f: exit code 1\n✖ restored c1 with failures: 0 started, 0 stopped, 1 failed\n',
    ],
    ['a timeout', result({ timed_out: true }), '✖ restored c1 with failures: 0 started, 0 stopped, 0 failed (stopped waiting at the timeout)\n'],
  ])('%s', (_case, input, expected) => {
    expect(renderRestore('c1', input)).toBe(expected);
  });
});

describe('renderCheckpointList and renderCreated', () => {
  const now = Date.parse('2026-01-02T00:10:00Z');

  it('prints an aligned table with age, units and running counts', () => {
    const text = renderCheckpointList([view('c1', '2026-01-02T00:00:00Z', [true, false]), view('before-deploy', '2026-01-02T00:09:30Z', [true])], now);
    expect(text).toBe('NAME           AGE  UNITS  RUNNING\nc1             10m  2      1\nbefore-deploy  30s  1      1\n');
  });

  it('says when there are none', () => {
    expect(renderCheckpointList([], now)).toBe('no checkpoints\n');
  });

  it('summarises a created checkpoint', () => {
    expect(renderCreated(view('c1', '2026-01-02T00:00:00Z', [true, false, true]))).toBe('✔ checkpoint c1: 3 units, 2 running\n');
  });
});
