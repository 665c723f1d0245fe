import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { DebouncedSaver } from './debounced-saver.js';
import { MemoryStateStore } from './memory-state-store.js';
import { toSavedState } from './saved-state.js';
import type { SavedState } from './types.js';

const stateWith = (n: number): SavedState => toSavedState({ desired: { project: `p${n}`, units: {}, overlays: {} }, observed: { units: {}, overlays: {} } }, n);

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('DebouncedSaver', () => {
  it('coalesces pokes within the window into one write of the latest state', async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    let n = 0;
    const saver = new DebouncedSaver(store, () => stateWith(n), { delayMs: 50, clock });
    for (n = 1; n <= 5; n++) saver.poke();
    clock.advance(49);
    await settle();
    expect(store.writes).toHaveLength(0);
    clock.advance(1);
    await settle();
    expect(store.writes.map((s) => s.desired.project)).toEqual(['p6']);
  });

  it('flush writes at once and cancels the timer', async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    const saver = new DebouncedSaver(store, () => stateWith(1), { clock });
    saver.poke();
    await saver.flush();
    expect(store.writes).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('flush without a poke writes nothing', async () => {
    const store = new MemoryStateStore();
    await new DebouncedSaver(store, () => stateWith(1), { clock: new ManualClock() }).flush();
    expect(store.writes).toHaveLength(0);
  });

  it('a poke during a write leads to one more write with the newer state', async () => {
    const clock = new ManualClock();
    let release: () => void = () => undefined;
    const writes: string[] = [];
    const store = new MemoryStateStore();
    const slow = {
      load: () => store.load(),
      write: async (s: SavedState) => {
        writes.push(s.desired.project);
        if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    };
    let n = 1;
    const saver = new DebouncedSaver(slow, () => stateWith(n), { clock });
    saver.poke();
    clock.advance(50);
    await settle();
    n = 2;
    saver.poke();
    release();
    await saver.flush();
    expect(writes).toEqual(['p1', 'p2']);
  });

  it('reports a failed write and retries later, keeping the change', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let fail = true;
    const store = new MemoryStateStore();
    const flaky = {
      load: () => store.load(),
      write: async (s: SavedState) => {
        if (fail) throw new Error('ENOSPC');
        await store.write(s);
      },
    };
    const saver = new DebouncedSaver(flaky, () => stateWith(7), { clock, retryMs: 1000, onError: (e) => errors.push(e) });
    saver.poke();
    clock.advance(50);
    await settle();
    expect(errors).toHaveLength(1);
    fail = false;
    clock.advance(1000);
    await settle();
    expect(store.writes.map((s) => s.desired.project)).toEqual(['p7']);
  });

  it('under sustained change the next write waits costFactor × the last write\'s synchronous cost; flush does not', async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    let cpu = 0;
    // Each write costs 10 ms of (fake) main-thread time, like serialising a large state.
    const costly = { load: () => store.load(), write: async (state: SavedState) => ((cpu += 10), store.write(state)) };
    let n = 1;
    const saver = new DebouncedSaver(costly, () => stateWith(n), { clock, delayMs: 50, costFactor: 25, measure: () => cpu });
    saver.poke();
    clock.advance(50);
    await settle();
    expect(store.writes).toHaveLength(1);
    n = 2;
    saver.poke();
    clock.advance(249);
    await settle();
    expect(store.writes).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(store.writes.map((s) => s.desired.project)).toEqual(['p1', 'p2']);
    n = 3;
    saver.poke();
    await saver.flush();
    expect(store.writes.map((s) => s.desired.project)).toEqual(['p1', 'p2', 'p3']);
  });

  it('a cheap state is still written one window after each change', async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    let cpu = 0;
    const cheap = { load: () => store.load(), write: async (state: SavedState) => ((cpu += 0.1), store.write(state)) };
    let n = 1;
    const saver = new DebouncedSaver(cheap, () => stateWith(n), { clock, delayMs: 50, measure: () => cpu });
    for (n = 1; n <= 3; n++) {
      saver.poke();
      clock.advance(50);
      await settle();
    }
    expect(store.writes.map((s) => s.desired.project)).toEqual(['p1', 'p2', 'p3']);
  });

  it('ignores pokes after close', async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    const saver = new DebouncedSaver(store, () => stateWith(1), { clock });
    await saver.close();
    saver.poke();
    expect(clock.pendingTimers).toBe(0);
  });
});
