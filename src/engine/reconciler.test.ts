// The coalescing loop: one pass at a time, triggers during a pass collapse into exactly one more, timers at recheckAt.

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { Reconciler } from './reconciler.js';

/** A pass the test finishes by hand, recording how many ran and how many overlapped. */
const controlledPass = () => {
  const releases: (() => void)[] = [];
  let started = 0;
  let active = 0;
  let maxActive = 0;
  let recheckAt: number | null = null;
  const pass = async (): Promise<number | null> => {
    started += 1;
    active += 1;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((resolve) => releases.push(resolve));
    active -= 1;
    return recheckAt;
  };
  return {
    pass,
    releaseNext: async () => {
      for (let i = 0; i < 5 && releases.length === 0; i += 1) await Promise.resolve();
      releases.shift()?.();
      await Promise.resolve();
    },
    get maxActive() {
      return maxActive;
    },
    /** Resolves once `n` passes have begun (a pass starts in a later event-loop turn than its trigger). */
    started: async (n: number) => {
      for (let i = 0; i < 50 && started < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
      expect(started).toBe(n);
    },
    setRecheck: (at: number | null) => {
      recheckAt = at;
    },
  };
};

describe('Reconciler', () => {
  it('collapses any number of triggers during a pass into exactly one more pass', async () => {
    const control = controlledPass();
    const reconciler = new Reconciler({ pass: control.pass, clock: new ManualClock(), onError: (e) => { throw e; } });
    reconciler.trigger();
    reconciler.trigger(); // before the pass begins: the same pass
    await control.started(1);
    for (let i = 0; i < 10; i += 1) reconciler.trigger(); // during the pass: one more
    await control.releaseNext();
    await control.releaseNext();
    await reconciler.idle();
    expect(reconciler.passes).toBe(2);
    expect(control.maxActive).toBe(1);
  });

  it('triggers from separate callbacks of one event-loop turn share one pass', async () => {
    let passes = 0;
    const reconciler = new Reconciler({ pass: () => { passes += 1; return null; }, clock: new ManualClock(), onError: () => {} });
    // Three I/O completions in the same poll phase, each changing state (and triggering) in its own callback.
    await Promise.all([0, 1, 2].map(() => new Promise<void>((resolve) => process.nextTick(() => (reconciler.trigger(), resolve())))));
    await reconciler.idle();
    expect(passes).toBe(1);
  });

  it('runs a single pass for a single trigger, and is idle afterwards', async () => {
    const clock = new ManualClock();
    let passes = 0;
    const reconciler = new Reconciler({ pass: () => { passes += 1; return null; }, clock, onError: () => {} });
    reconciler.trigger();
    await reconciler.idle();
    expect(passes).toBe(1);
    expect(reconciler.busy).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('looks again at recheckAt, with one timer however many passes ask', async () => {
    const clock = new ManualClock(0);
    let passes = 0;
    const reconciler = new Reconciler({ pass: () => { passes += 1; return passes <= 2 ? 5000 : null; }, clock, onError: () => {} });
    reconciler.trigger();
    await reconciler.idle();
    reconciler.trigger();
    await reconciler.idle();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(4999);
    expect(passes).toBe(2);
    clock.advance(1);
    await reconciler.idle();
    expect(passes).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports a throwing pass and keeps going', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const reconciler = new Reconciler({
      pass: () => {
        passes += 1;
        if (passes === 1) throw new Error('boom');
        return null;
      },
      clock: new ManualClock(),
      onError: (e) => errors.push(e),
    });
    reconciler.trigger();
    await reconciler.idle();
    reconciler.trigger();
    await reconciler.idle();
    expect(errors).toHaveLength(1);
    expect(passes).toBe(2);
  });

  it('ignores triggers after close', async () => {
    let passes = 0;
    const reconciler = new Reconciler({ pass: () => { passes += 1; return null; }, clock: new ManualClock(), onError: () => {} });
    reconciler.close();
    reconciler.trigger();
    await reconciler.idle();
    expect(passes).toBe(0);
  });
});
