import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { FakeLogStore } from './fake-log-store.js';

describe('FakeLogStore', () => {
  it('stores emitted and noted lines, filters by stream and tails', async () => {
    const store = new FakeLogStore(new ManualClock(1000));
    store.emit('api', 'stdout', 'one\ntwo');
    store.emit('api', 'stderr', 'oops');
    store.note('api', 'stderr', '[sbx] exited with code 1');
    expect((await store.read('api', { stream: 'combined' })).map((l) => l.text)).toEqual(['one', 'two', 'oops', '[sbx] exited with code 1']);
    expect((await store.read('api', { stream: 'stdout', tail: 1 })).map((l) => l.text)).toEqual(['two']);
    expect(await store.read('api', { stream: 'stderr', tail: 0 })).toEqual([]);
    expect((await store.read('api', { stream: 'stderr' }))[0]).toEqual({ ts: 1000, stream: 'stderr', text: 'oops' });
  });

  it('follow delivers the tail, then new lines of its view, until unsubscribed', () => {
    const store = new FakeLogStore();
    store.emit('web', 'stdout', 'a\nb');
    const seen: string[] = [];
    const stop = store.follow('web', { stream: 'stdout', tail: 1 }, (batch) => seen.push(...batch.lines.map((l) => l.text)));
    store.emit('web', 'stderr', 'ignored');
    store.emit('web', 'stdout', 'c');
    stop();
    store.emit('web', 'stdout', 'd');
    expect(seen).toEqual(['b', 'c']);
  });

  it('hands out /dev/null fds and counts unreleased ones', async () => {
    const store = new FakeLogStore();
    const sink = await store.open('db', 'r1');
    expect(store.openFds).toBe(2);
    expect(store.opened).toEqual([{ unit: 'db', runId: 'r1' }]);
    sink.release();
    sink.release();
    expect(store.openFds).toBe(0);
  });

  it('drained resolves at once, or waits for finishRun when held', async () => {
    const store = new FakeLogStore();
    await store.open('db', 'r1').then((s) => s.release());
    await expect(store.drained('db', 'r1')).resolves.toBeUndefined();
    store.holdDrains = true;
    await store.reattach('db', 'r2');
    let done = false;
    const waiting = store.drained('db', 'r2').then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    store.finishRun('db', 'r2');
    await waiting;
    expect(done).toBe(true);
  });
});
