// The FIFO pool: runs' FIFOs made BATCH at a time by one mkfifo call and renamed into place.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFifos } from '../../src/runtime/fifo-capture.js';
import { FifoPool } from '../../src/runtime/fifo-pool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-fifo-pool-'));
  dirs.push(dir);
  return dir;
};

const isPrivateFifo = (path: string): boolean => {
  const info = statSync(path);
  return info.isFIFO() && (info.mode & 0o777) === 0o600;
};

describe('FifoPool', () => {
  it('makes 40 runs of FIFOs with 3 mkfifo calls (16 pairs each), each a private FIFO at its run path', async () => {
    const logs = tempDir();
    const pool = new FifoPool(join(logs, '.fifo-pool'), 16);
    const runs = Array.from({ length: 40 }, (_, i) => runFifos(join(logs, `u${i % 4}`), `r${i}`));
    await Promise.all(runs.map((fifos) => pool.make(fifos)));
    expect(pool.batches).toBe(3);
    for (const fifos of runs) expect(isPrivateFifo(fifos.stdout) && isPrivateFifo(fifos.stderr)).toBe(true);
    expect(readdirSync(join(logs, '.fifo-pool'))).toHaveLength(2 * (48 - 40));
    pool.clear();
    expect(existsSync(join(logs, '.fifo-pool'))).toBe(false);
  });

  it('falls back to making the run FIFOs directly when the pool folder disappears', async () => {
    const logs = tempDir();
    const pool = new FifoPool(join(logs, '.fifo-pool'), 4);
    await pool.make(runFifos(join(logs, 'api'), 'r1'));
    rmSync(join(logs, '.fifo-pool'), { recursive: true });
    const second = runFifos(join(logs, 'api'), 'r2');
    await pool.make(second);
    expect(isPrivateFifo(second.stdout) && isPrivateFifo(second.stderr)).toBe(true);
    expect(pool.batches).toBe(1);
  });

  it('empties a pool folder left by an earlier daemon before its first batch', async () => {
    const logs = tempDir();
    mkdirSync(join(logs, '.fifo-pool'));
    const stale = new FifoPool(join(logs, '.fifo-pool'), 4);
    await stale.make(runFifos(join(logs, 'api'), 'r1')); // leaves 3 pairs, as a daemon killed with SIGKILL would
    const pool = new FifoPool(join(logs, '.fifo-pool'), 4);
    await pool.make(runFifos(join(logs, 'api'), 'r2'));
    expect(readdirSync(join(logs, '.fifo-pool'))).toHaveLength(2 * 3);
  });
});
