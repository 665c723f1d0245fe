import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { createChangeBatcher } from './change-batcher.js';

type Step = { add: string } | { advance: number } | { cancel: true };

const run = (steps: Step[], maxWaitMs?: number): string[][] => {
  const clock = new ManualClock();
  const flushed: string[][] = [];
  const batcher = createChangeBatcher({ debounceMs: 100, ...(maxWaitMs ? { maxWaitMs } : {}), clock, onFlush: (c) => flushed.push(c) });
  for (const step of steps) {
    if ('add' in step) batcher.add(step.add);
    else if ('advance' in step) clock.advance(step.advance);
    else batcher.cancel();
  }
  return flushed;
};

describe('createChangeBatcher', () => {
  it.each<[string, Step[], string[][], number?]>([
    ['nothing added, nothing flushed', [{ advance: 1000 }], []],
    ['one event flushes after the quiet time', [{ add: '/a' }, { advance: 99 }], []],
    ['one event, quiet time passed', [{ add: '/a' }, { advance: 100 }], [['/a']]],
    [
      'a burst is one sorted, de-duplicated batch',
      [{ add: '/b' }, { advance: 50 }, { add: '/a' }, { advance: 50 }, { add: '/b' }, { advance: 100 }],
      [['/a', '/b']],
    ],
    ['two bursts apart are two batches', [{ add: '/a' }, { advance: 150 }, { add: '/a' }, { advance: 150 }], [['/a'], ['/a']]],
    ['cancel drops what is pending', [{ add: '/a' }, { cancel: true }, { advance: 500 }], []],
    [
      'a steady stream still flushes at the maximum wait',
      [{ add: '/a' }, { advance: 90 }, { add: '/b' }, { advance: 90 }, { add: '/c' }, { advance: 20 }],
      [['/a', '/b', '/c']],
      200,
    ],
  ])('%s', (_name, steps, expected, maxWaitMs) => {
    expect(run(steps, maxWaitMs)).toEqual(expected);
  });
});
