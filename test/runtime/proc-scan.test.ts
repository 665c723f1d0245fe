// The /proc readers against the real /proc: start times agree with the kernel's stat line, tag scans find descendants.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { EnvironScanner, readStat, readStatSync, scanEnviron } from '../../src/runtime/proc-scan.js';
import { CENSUS_VARIABLE, censusPids, killCensus, newCensusValue } from './census.js';

describe('/proc readers', () => {
  const census = newCensusValue();

  afterEach(() => {
    expect(killCensus(census), 'processes left behind by the test').toBe(0);
  });

  it('reads field 22 (start time) and the state of a live process', async () => {
    const child = spawn('sleep', ['100000'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [CENSUS_VARIABLE]: census }, stdio: 'ignore' });
    const pid = child.pid!;
    await eventually(() => readFileSync(`/proc/${pid}/cmdline`, 'latin1') === 'sleep\u0000100000\u0000', { message: 'sleep to be exec\'d' });
    // comm is "sleep" (no spaces), so a plain split agrees with the parser here.
    const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(' ');
    expect(readStatSync(pid)).toEqual({ state: expect.stringMatching(/^[RS]$/), startTime: Number(fields[21]) });
    expect(await readStat(pid)).toEqual({ state: expect.stringMatching(/^[RS]$/), startTime: Number(fields[21]) });
    expect(readStatSync(0x7ffffffe)).toBeNull();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(readStatSync(pid)).toBeNull();
  });

  it('finds every process carrying a variable, including a detached grandchild, sharing scans between callers', async () => {
    const child = spawn('/bin/sh', ['-c', 'setsid sleep 100000 & exec sleep 100000'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [CENSUS_VARIABLE]: census },
      stdio: 'ignore',
    });
    await eventually(() => censusPids(census).length === 2, { message: 'two tagged sleeps' });

    const all = await scanEnviron(CENSUS_VARIABLE);
    expect(all.get(census)?.sort()).toEqual(censusPids(census).sort());

    const scanner = new EnvironScanner(CENSUS_VARIABLE);
    const [a, b] = [scanner.scan(), scanner.scan()];
    expect(a).toBe(b);
    expect((await scanner.pidsOf(census)).sort()).toEqual(censusPids(census).sort());
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killCensus(census);
    await exited;
    await eventually(async () => (await scanner.pidsOf(census)).length === 0, { message: 'scan to see none' });
  });
});
