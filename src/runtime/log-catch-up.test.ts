import { describe, expect, it } from 'vitest';
import { BOUNDARY_SPACING, FrameBoundaries } from './log-catch-up.js';

const K = BOUNDARY_SPACING;

describe('FrameBoundaries', () => {
  it.each([
    { name: 'no writes known', writes: [], ask: [0, 0], want: null },
    { name: 'a write end far enough from the start is kept', writes: [[0, 0, K]], ask: [0, 0], want: K },
    { name: 'ends closer than the spacing are skipped', writes: [[0, 0, K], [0, K, K + 10], [0, K + 10, 2 * K]], ask: [0, K], want: 2 * K },
    { name: 'the first end after the offset', writes: [[0, 0, K], [0, K, 2 * K], [0, 2 * K, 3 * K]], ask: [0, K + 1], want: 2 * K },
    { name: 'nothing after the last kept end', writes: [[0, 0, K], [0, K, K + 5]], ask: [0, K], want: null },
    { name: 'files are apart', writes: [[0, 0, K], [1, 0, K + 7]], ask: [1, 0], want: K + 7 },
    { name: 'files older than the kept window are forgotten', writes: [[0, 0, K], [1, 0, K], [2, 0, K], [3, 0, K]], ask: [0, 0], want: null },
    { name: 'files within the window stay', writes: [[0, 0, K], [1, 0, K], [2, 0, K], [3, 0, K]], ask: [1, 0], want: K },
  ] as { name: string; writes: [number, number, number][]; ask: [number, number]; want: number | null }[])('$name', ({ writes, ask, want }) => {
    const boundaries = new FrameBoundaries();
    for (const [seq, start, end] of writes) boundaries.record({ seq, start, end }, 3);
    expect(boundaries.after(ask[0], ask[1])).toBe(want);
  });
});
