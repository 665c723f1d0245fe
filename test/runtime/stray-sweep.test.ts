// A scoped runner's sweep (reliability S9): a restarted daemon stops the runs its crashed predecessor spawned but never
// recorded, keeps the ones it adopted, and never touches another scope's runs.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxProcessRunner } from '../../src/runtime/linux-process-runner.js';
import { censusPids, killCensus, newCensusValue } from './census.js';
import { RunnerHarness, fixture } from './runner-harness.js';

describe.each([{ mode: 'auto' as const }, { mode: 'off' as const }])('LinuxProcessRunner.sweep (cgroups: $mode)', ({ mode }) => {
  let census: string;
  let harness: RunnerHarness;

  beforeEach(() => {
    census = newCensusValue();
    harness = new RunnerHarness(census);
  });

  afterEach(() => {
    const leftovers = killCensus(census);
    harness.dispose();
    expect(leftovers, 'processes left behind by the test').toBe(0);
  });

  it('stops unrecorded runs of its scope (whole trees), keeps the adopted one and other scopes', async () => {
    const scope = `t-${randomUUID().slice(0, 8)}`;
    const first = new LinuxProcessRunner({ cgroups: mode, scope });
    const kept = await harness.start(first, harness.request('kept', ['sleep', '100000']));
    const stray = await harness.start(first, harness.request('stray', ['/bin/sh', fixture('process-tree.sh')]));
    await harness.ready('stray');
    const other = await harness.start(new LinuxProcessRunner({ cgroups: mode, scope: `${scope}-other` }), harness.request('other', ['sleep', '100000']));
    const before = censusPids(census).length;

    const second = new LinuxProcessRunner({ cgroups: mode, scope });
    expect(second.adopt(kept.identity)).not.toBeNull();
    await second.sweep([kept.identity]);
    const left = censusPids(census).sort();
    expect(before).toBe(6);
    expect(left).toEqual([kept.identity.pid, other.identity.pid].sort());
    if (mode === 'auto') expect(stray.identity.cgroup).toContain(`scope-${scope}`);

    await second.stop(kept.identity, 2000);
    await new LinuxProcessRunner({ cgroups: mode }).stop(other.identity, 2000);
  });

  it('does nothing without a scope', async () => {
    const run = await harness.start(new LinuxProcessRunner({ cgroups: mode }), harness.request('plain', ['sleep', '100000']));
    expect(await new LinuxProcessRunner({ cgroups: mode }).sweep([])).toEqual([]);
    expect(censusPids(census)).toEqual([run.identity.pid]);
    await new LinuxProcessRunner({ cgroups: mode }).stop(run.identity, 2000);
  });
});
