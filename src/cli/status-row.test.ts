import { describe, expect, it } from 'vitest';
import type { Hold, ObservedUnit } from '../engine/types.js';
import type { OverlaySpec, UnitSpec } from '../manifest/types.js';
import { toOverlayStatusRow, toStatusRow, type StatusRow } from './status-row.js';

const NOW = 1_000_000;

const spec = (partial: Partial<UnitSpec> = {}): UnitSpec =>
  ({
    name: 'api',
    kind: 'service',
    cmd: 'node',
    args: ['server.js'],
    argv: ['node', 'server.js'],
    install: null,
    cwd: '/p',
    env: {},
    env_files: [],
    user: null,
    port: 3000,
    strict_port: false,
    health_port: null,
    health_check: null,
    container: false,
    image: null,
    restart_policy: 'never',
    max_restarts: 0,
    restart_delay_ms: 1000,
    stop_timeout_ms: 10_000,
    needs: [],
    overlays: [],
    unit_refs: [],
    fingerprint: 'f1',
    ...partial,
  }) as UnitSpec;

const observed = (partial: Partial<ObservedUnit> = {}): ObservedUnit => ({
  name: 'api',
  phase: 'ready',
  fingerprint: 'f1',
  pid: 4242,
  start_time: 1,
  run_id: 'r1',
  cgroup: null,
  port: 3001,
  restart_count: 2,
  crash_streak: 0,
  last_exit: null,
  started_at: NOW - 65_000,
  ready_at: NOW - 60_000,
  backoff_until: null,
  last_error: null,
  health: { status: 'healthy', healthy: true, last_check: NOW, last_error: null, consecutive_failures: 0 },
  ...partial,
});

const waiting: Hold = { unit: 'api', reason: 'waiting-for-needs', on: ['db'], message: 'waiting for db' };

describe('toStatusRow', () => {
  it.each<[string, UnitSpec | null, ObservedUnit | null, Hold | null, Partial<StatusRow>]>([
    [
      'a ready unit with a health check',
      spec({ health_port: 3000 }),
      observed(),
      null,
      { status: 'ready', pid: 4242, port: 3001, restarts: 2, health: 'healthy', age_ms: 65_000, note: null, desired: true },
    ],
    ['no health check: no health, even if observed has one', spec(), observed(), null, { health: null }],
    [
      'never observed: pending, the configured port, the hold as note',
      spec(),
      null,
      waiting,
      { status: 'pending', pid: null, port: 3000, restarts: 0, age_ms: null, note: 'waiting-for-needs: db' },
    ],
    [
      'failed: age since the exit, last error as note',
      spec(),
      observed({ phase: 'failed', pid: null, last_exit: { code: 1, signal: null, known: true, at: NOW - 5000 }, last_error: 'exited with code 1' }),
      null,
      { status: 'failed', pid: null, age_ms: 5000, note: 'exited with code 1' },
    ],
    [
      'a hold with only a message',
      spec(),
      observed({ phase: 'backoff', last_error: 'exited with code 1' }),
      { unit: 'api', reason: 'backoff', on: [], message: 'restarting in 2 s' },
      { status: 'backoff', note: 'backoff: restarting in 2 s' },
    ],
    ['observed only: marked as not desired', null, observed({ name: 'old' }), null, { name: 'old', desired: false, note: 'not in the desired state', command: null }],
    ['a server shows its start line as command', spec({ kind: 'server', cmd: 'npm run dev', args: [] }), null, null, { kind: 'server', command: 'npm run dev' }],
    ['a service shows cmd and args', spec(), null, null, { command: 'node server.js' }],
  ])('%s', (_name, unitSpec, unitObserved, hold, expected) => {
    expect(toStatusRow(unitSpec, unitObserved, hold, NOW)).toMatchObject(expected);
  });
});

describe('toOverlayStatusRow', () => {
  const overlay: OverlaySpec = { name: 'tpl', source: '/p/t', target: '/p/.work/t', strategy: 'smart', ignore: [], immutable: [], needs: [] };
  it('reports copy status and error', () => {
    expect(toOverlayStatusRow(overlay, { name: 'tpl', status: 'failed', stats: { copied_files: 0, copied_dirs: 0, skipped: 0 } as never, digest: null, error: 'EACCES' }, null)).toMatchObject({
      kind: 'overlay',
      status: 'failed',
      note: 'EACCES',
      command: 'smart /p/t → /p/.work/t',
    });
    expect(toOverlayStatusRow(overlay, null, null)).toMatchObject({ status: 'pending', note: null });
  });
});
