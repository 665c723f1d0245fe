// The fake monitor behaves like the real one where the engine can tell: replace-on-rewatch, stop, reports.

import { describe, expect, it } from 'vitest';
import type { HealthSchedule, HealthState } from '../prober.js';
import { FakeHealthMonitor } from './fake-health-monitor.js';

const schedule: HealthSchedule = { target: { kind: 'tcp', host: '127.0.0.1', port: 5432 }, interval_ms: 2000, timeout_ms: 1500, delay_ms: 0 };

describe('FakeHealthMonitor', () => {
  it('delivers reports to the live watch, merged into the last state and stamped with now()', () => {
    const monitor = new FakeHealthMonitor({ now: () => 42 });
    const states: HealthState[] = [];
    monitor.watch('db', schedule, (s) => states.push(s));
    monitor.report('db', { consecutive_failures: 2, last_error: 'connection refused' });
    monitor.setHealthy('db');
    monitor.setUnhealthy('db', 'HTTP 503');
    expect(states).toEqual([
      { status: 'checking', healthy: false, last_check: 42, last_error: 'connection refused', consecutive_failures: 2 },
      { status: 'healthy', healthy: true, last_check: 42, last_error: null, consecutive_failures: 0 },
      { status: 'unhealthy', healthy: false, last_check: 42, last_error: 'HTTP 503', consecutive_failures: 1 },
    ]);
    expect(monitor.watchOf('db')?.state.status).toBe('unhealthy');
  });

  it('records watches and stops; a stopped or replaced watch gets nothing', () => {
    const monitor = new FakeHealthMonitor();
    const first: HealthState[] = [];
    const second: HealthState[] = [];
    const stopFirst = monitor.watch('db', schedule, (s) => first.push(s));
    monitor.watch('db', schedule, (s) => second.push(s));
    stopFirst(); // already replaced: a no-op
    monitor.setHealthy('db');
    expect(first).toEqual([]);
    expect(second).toHaveLength(1);
    expect(monitor.watchCalls.map((c) => c.unit)).toEqual(['db', 'db']);
    expect(monitor.stopped).toEqual(['db']);
    expect(monitor.isWatching('db')).toBe(true);
  });

  it('refuses a report for a unit nobody watches', () => {
    const monitor = new FakeHealthMonitor();
    const stop = monitor.watch('db', schedule, () => {});
    stop();
    expect(monitor.isWatching('db')).toBe(false);
    expect(() => monitor.setHealthy('db')).toThrow('FakeHealthMonitor.report: unit "db" is not being watched');
  });
});
