import { describe, expect, it } from 'vitest';
import type { ObservedUnit, UnitPhase } from '../engine/types.js';
import { envVar, makeSpec } from '../../test/daemon/helpers/make-spec.js';
import { envView, healthOf, MASK, serverStatus, serviceStatus, toServerView, toServiceView, toStatusView } from './views.js';

const observed = (phase: UnitPhase, patch: Partial<ObservedUnit> = {}): ObservedUnit => ({
  name: 'u',
  phase,
  fingerprint: 'fp',
  pid: 142,
  start_time: 1,
  run_id: 'r',
  cgroup: null,
  port: 4000,
  restart_count: 0,
  crash_streak: 0,
  last_exit: null,
  started_at: 1,
  ready_at: null,
  backoff_until: null,
  last_error: null,
  health: null,
  ...patch,
});

describe('serviceStatus (seed: running | stopped | failed | unknown)', () => {
  it.each<[UnitPhase | null, boolean, string]>([
    ['ready', true, 'running'],
    ['running', true, 'unknown'],
    ['starting', true, 'unknown'],
    ['installing', true, 'unknown'],
    ['backoff', true, 'unknown'],
    ['stopping', true, 'unknown'],
    ['pending', true, 'unknown'],
    ['pending', false, 'stopped'],
    ['stopped', false, 'stopped'],
    ['failed', true, 'failed'],
    [null, false, 'stopped'],
  ])('%s (enabled %s) -> %s', (phase, enabled, status) => {
    expect(serviceStatus(phase, enabled)).toBe(status);
  });
});

describe('serverStatus (seed: installing | starting | running | ready | stopped | failed | restarting)', () => {
  it.each<[UnitPhase | null, boolean, string]>([
    ['pending', true, 'starting'],
    ['pending', false, 'stopped'],
    ['installing', true, 'installing'],
    ['starting', true, 'starting'],
    ['running', true, 'running'],
    ['ready', true, 'ready'],
    ['backoff', true, 'restarting'],
    ['stopping', false, 'stopped'],
    ['stopped', false, 'stopped'],
    ['failed', true, 'failed'],
    [null, true, 'stopped'],
  ])('%s (enabled %s) -> %s', (phase, enabled, status) => {
    expect(serverStatus(phase, enabled)).toBe(status);
  });
});

describe('healthOf', () => {
  it('uses the probe state when there is one', () => {
    const health = { status: 'unhealthy' as const, healthy: false, last_check: 1, last_error: 'refused', consecutive_failures: 3 };
    expect(healthOf(observed('ready', { health }), true)).toEqual({ healthy: false, health_status: 'unhealthy' });
  });
  it.each<[UnitPhase, string]>([
    ['ready', 'healthy'],
    ['starting', 'checking'],
    ['stopped', 'unhealthy'],
  ])('derives from phase %s without a probe -> %s', (phase, status) => {
    expect(healthOf(observed(phase), true).health_status).toBe(status);
  });
});

describe('envView', () => {
  it('masks secret-looking names and leaves out sbx’s own environment', () => {
    const env = {
      API_KEY: envVar('canary-123', true),
      LOG_LEVEL: envVar('warning'),
      PATH: { value: '/usr/bin', source: { kind: 'sbx-environment' as const }, secret: false },
    };
    expect(envView(env)).toEqual({ API_KEY: MASK, LOG_LEVEL: 'warning' });
  });
});

describe('toServiceView', () => {
  it('answers the seed shape', () => {
    const spec = makeSpec('redis', 'service', { cmd: 'redis-server', args: ['--port', '6379'], health_port: 6379, needs: [{ name: 'postgres', restart: false }] });
    const view = toServiceView({ desired: { spec, enabled: true, owner: 'api' }, observed: observed('ready'), hold: null });
    expect(view).toMatchObject({ name: 'redis', cmd: 'redis-server', args: ['--port', '6379'], status: 'running', pid: 142, container: false, image: '', health_port: 6379, needs: ['postgres'], owner: 'api' });
  });
  it('never contains a secret value', () => {
    const spec = makeSpec('a', 'service', { env: { TOKEN: envVar('canary-xyz', true) } });
    const view = toServiceView({ desired: { spec, enabled: true, owner: 'api' }, observed: null, hold: null });
    expect(JSON.stringify(view)).not.toContain('canary-xyz');
  });
});

describe('toServerView', () => {
  const spec = makeSpec('web', 'server', { cmd: 'npm run dev', install: 'npm install', port: 3000, health_check: { path: '/', interval_ms: 5000, timeout_ms: 3000, delay_ms: 2000 } });
  it('has a url only while the server runs', () => {
    const ready = toServerView({ desired: { spec, enabled: true, owner: 'api' }, observed: observed('ready', { port: 3001, restart_count: 2 }), hold: null });
    expect(ready).toMatchObject({ slug: 'web', status: 'ready', url: 'http://127.0.0.1:3001', port: 3001, pid: 142, healthy: true, health_status: 'healthy', restart_count: 2, install: 'npm install', start: 'npm run dev', path: '/tmp' });
    const stopped = toServerView({ desired: { spec, enabled: false, owner: 'api' }, observed: observed('stopped', { pid: null }), hold: null });
    expect(stopped).toMatchObject({ status: 'stopped', url: null, healthy: false });
  });
  it('builds the url on the host the daemon was given', () => {
    const ready = toServerView({ desired: { spec, enabled: true, owner: 'api' }, observed: observed('ready', { port: 3001 }), hold: null }, 'dev.example.test');
    expect(ready.url).toBe('http://dev.example.test:3001');
  });
  it('reports the hold beside the status', () => {
    const hold = { unit: 'web', reason: 'waiting-for-needs' as const, on: ['db'], message: 'waiting for db' };
    expect(toServerView({ desired: { spec, enabled: true, owner: 'manifest' }, observed: null, hold }).hold).toEqual({ reason: 'waiting-for-needs', on: ['db'], message: 'waiting for db' });
  });
});

describe('toStatusView', () => {
  it('lists every unit sorted, with health only for probed units', () => {
    const view = toStatusView({
      desired: {
        project: 'demo',
        units: {
          b: { spec: makeSpec('b', 'service', { health_port: 1 }), enabled: true, owner: 'manifest' },
          a: { spec: makeSpec('a'), enabled: true, owner: 'manifest' },
        },
        overlays: {},
      },
      observed: { units: { a: observed('ready'), b: observed('starting') }, overlays: {} },
      holds: [],
    });
    expect(view.units.map((u) => [u.name, u.phase, u.health_status])).toEqual([
      ['a', 'ready', null],
      ['b', 'starting', 'checking'],
    ]);
  });
});
