// Exact probe scheduling on a manual clock with the fake prober: delay, interval from the end, one in flight, stop.

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { FakeProber } from './fakes/fake-prober.js';
import { ProbeHealthMonitor, UNHEALTHY_THRESHOLD } from './probe-health-monitor.js';
import type { HealthSchedule, HealthState, Prober } from './prober.js';

const schedule: HealthSchedule = {
  target: { kind: 'http', url: 'http://127.0.0.1:4000/health' },
  interval_ms: 2000,
  timeout_ms: 1500,
  delay_ms: 5000,
};

/** Lets settled probes' continuations run (microtasks and one macrotask turn); never waits on time. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const setup = (threshold?: number) => {
  const clock = new ManualClock(0);
  const prober = new FakeProber();
  const monitor = new ProbeHealthMonitor({ prober, clock, ...(threshold === undefined ? {} : { unhealthyThreshold: threshold }) });
  const states: HealthState[] = [];
  return { clock, prober, monitor, states, onChange: (s: HealthState) => states.push(s) };
};

describe('ProbeHealthMonitor scheduling', () => {
  it('runs no probe before delay_ms, then one, with the schedule target and timeout', async () => {
    const { clock, prober, monitor, onChange, states } = setup();
    monitor.watch('api', schedule, onChange);
    expect(states).toEqual([]); // nothing reported synchronously
    clock.advance(4999);
    expect(prober.calls).toHaveLength(0);
    clock.advance(1);
    expect(prober.calls).toHaveLength(1);
    expect(prober.calls[0]).toMatchObject({ target: schedule.target, timeoutMs: 1500 });
    await flush();
    expect(states).toEqual([{ status: 'healthy', healthy: true, last_check: 5000, last_error: null, consecutive_failures: 0 }]);
  });

  it('measures the interval from the end of the previous probe', async () => {
    const { clock, prober, monitor, onChange } = setup();
    prober.hold = true;
    monitor.watch('api', schedule, onChange);
    clock.advance(5000); // probe 1 starts at 5000
    clock.advance(700);
    prober.settleNext(); // ... and ends at 5700
    await flush();
    clock.advance(1999); // 7699: an interval counted from the start would have fired at 7000
    expect(prober.calls).toHaveLength(1);
    clock.advance(1); // 7700
    expect(prober.calls).toHaveLength(2);
  });

  it('never has two probes in flight, however long one takes', async () => {
    const { clock, prober, monitor, onChange } = setup();
    prober.hold = true;
    monitor.watch('api', schedule, onChange);
    clock.advance(5000);
    clock.advance(60_000);
    expect(prober.calls).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    prober.settleNext(FakeProber.fail('timed out after 1500 ms'));
    await flush();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(2000);
    expect(prober.calls).toHaveLength(2);
    expect(prober.maxInFlight).toBe(1);
  });

  it('keeps one loop per unit and runs units independently', () => {
    const { clock, prober, monitor, onChange } = setup();
    monitor.watch('api', schedule, onChange);
    monitor.watch('db', { ...schedule, delay_ms: 1000 }, onChange);
    monitor.watch('api', { ...schedule, delay_ms: 3000 }, onChange); // replaces the first api loop
    expect(monitor.watching().sort()).toEqual(['api', 'db']);
    expect(clock.pendingTimers).toBe(2);
    clock.advance(1000);
    expect(prober.calls).toHaveLength(1);
    clock.advance(2000);
    expect(prober.calls).toHaveLength(2);
    clock.advance(2000); // the replaced loop's 5000 ms delay must not fire
    expect(prober.calls).toHaveLength(2);
  });
});

describe('ProbeHealthMonitor states', () => {
  it(`reports every result; a healthy unit turns unhealthy after ${UNHEALTHY_THRESHOLD} consecutive failures`, async () => {
    const { clock, prober, monitor, onChange, states } = setup();
    prober.queue(FakeProber.fail(), FakeProber.ok(), FakeProber.fail('HTTP 503'), FakeProber.fail('HTTP 503'), FakeProber.fail('HTTP 503'), FakeProber.ok());
    monitor.watch('api', schedule, onChange);
    clock.advance(5000);
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(2000);
    }
    await flush();
    expect(states.map((s) => [s.status, s.consecutive_failures, s.last_check])).toEqual([
      ['checking', 1, 5000],
      ['healthy', 0, 7000],
      ['healthy', 1, 9000],
      ['healthy', 2, 11000],
      ['unhealthy', 3, 13000],
      ['healthy', 0, 15000],
    ]);
    expect(states[4]).toMatchObject({ healthy: false, last_error: 'HTTP 503' });
  });

  it('honours a custom threshold', async () => {
    const { clock, prober, monitor, onChange, states } = setup(1);
    prober.queue(FakeProber.ok(), FakeProber.fail());
    monitor.watch('api', { ...schedule, delay_ms: 0 }, onChange);
    clock.advance(0);
    await flush();
    clock.advance(2000);
    await flush();
    expect(states.map((s) => s.status)).toEqual(['healthy', 'unhealthy']);
  });

  it('treats a prober that throws as a failed probe and keeps probing', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const prober: Prober = {
      probe: async () => {
        calls += 1;
        throw new Error('boom');
      },
    };
    const states: HealthState[] = [];
    new ProbeHealthMonitor({ prober, clock }).watch('api', schedule, (s) => states.push(s));
    clock.advance(5000);
    await flush();
    clock.advance(2000);
    await flush();
    expect(calls).toBe(2);
    expect(states.map((s) => s.last_error)).toEqual(['boom', 'boom']);
  });

  it('keeps probing when the listener throws', async () => {
    const { clock, prober, monitor } = setup();
    monitor.watch('api', schedule, () => {
      throw new Error('listener bug');
    });
    clock.advance(5000);
    await flush();
    clock.advance(2000);
    expect(prober.calls).toHaveLength(2);
  });
});

describe('ProbeHealthMonitor stop', () => {
  it('before the first probe: no timer left, no probe ever', () => {
    const { clock, prober, monitor, onChange } = setup();
    const stop = monitor.watch('api', schedule, onChange);
    stop();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(60_000);
    expect(prober.calls).toHaveLength(0);
    expect(monitor.watching()).toEqual([]);
  });

  it('during a probe: aborts it, ignores its late result, schedules nothing', async () => {
    const { clock, prober, monitor, onChange, states } = setup();
    prober.hold = true;
    const stop = monitor.watch('api', schedule, onChange);
    clock.advance(5000);
    stop();
    expect(prober.calls[0]?.aborted).toBe(true);
    expect(prober.inFlight).toBe(0);
    await flush();
    expect(states).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('from inside the listener: no further probe', async () => {
    const { clock, prober, monitor } = setup();
    const stop = monitor.watch('api', schedule, () => stop());
    clock.advance(5000);
    await flush();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(60_000);
    expect(prober.calls).toHaveLength(1);
  });

  it('stopAll stops every unit', () => {
    const { clock, monitor, onChange } = setup();
    monitor.watch('api', schedule, onChange);
    monitor.watch('db', schedule, onChange);
    monitor.stopAll();
    expect(clock.pendingTimers).toBe(0);
    expect(monitor.watching()).toEqual([]);
  });
});
