// S23 Idempotence, minimal diff, concurrency (reliability-anchors.md §2.G).
// Apply the same manifest 100 times: 0 spawns. Change one unit's env file *contents*: exactly 1 restart (plus the unit
// declared to follow it). Change only `max_restarts`: 0 restarts (in-place update). 10 concurrent applies of
// different manifests: the final state equals exactly one of them, no mixed result. `sbx diff` returns 0 once in sync.
// The 100 applies and the 10 concurrent ones go through the API client (what `sbx apply` sends); diff is the CLI.
// Scaled: nothing.

import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, RelProject } from './harness/rel-project.js';

const NAMES = Array.from({ length: 10 }, (_, i) => `u${i}`);

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const unit = (name: string, extra = ''): string =>
  `  ${name}: { cmd: /bin/sh, args: [${fixture('recorded.sh')}, sleep, "100000"], env: { UNIT: ${name} }${extra ? `, ${extra}` : ''} }`;

const manifestLines = (maxRestarts = 0): string[] => [
  'services:',
  ...NAMES.map((n) => unit(n, n === 'u0' ? `max_restarts: ${maxRestarts}` : '')),
  unit('envu', 'env_file: app.env'),
  unit('follower', 'needs: [{ name: envu, restart: true }]'),
];

describe('S23 idempotence, minimal diff, concurrency', () => {
  it('100 identical applies spawn nothing; an env file edit restarts 1 (+ its follower); max_restarts updates in place; diff 0', async () => {
    project = await RelProject.create('s23');
    await project.write('app.env', 'GREETING=hello\n');
    await project.manifest(manifestLines());
    await project.sbxOk(['apply']);
    const client = await project.client();
    const all = [...NAMES, 'envu', 'follower'];
    const starts = async () => Object.fromEntries(await Promise.all(all.map(async (n) => [n, (await project!.recordLines(`${n}.starts`)).length] as const)));
    const pids = async () => Object.fromEntries((await client.status()).units.map((u) => [u.name, u.pid]));
    const initial = await starts();
    const began = performance.now();
    let notInSync = 0;
    for (let i = 0; i < 100; i++) {
      const result = await client.applyAndWait({ path: project.manifestPath, timeout_ms: 10_000 }, (m) => {
        if (m.type === 'plan' && !m.in_sync) notInSync++;
      });
      expect(result.failed).toEqual([]);
    }
    const applyMs = (performance.now() - began) / 100;
    const afterSame = await starts();

    await project.write('app.env', 'GREETING=bonjour\n');
    const pidsBefore = await pids();
    await client.applyAndWait({ path: project.manifestPath, timeout_ms: 20_000 });
    // The start record follows the spawn by a moment (a unit without a health check is ready once spawned).
    const afterEnv = (await eventually(async () => {
      const now = await starts();
      return now.envu === afterSame.envu! + 1 && now.follower === afterSame.follower! + 1 ? now : null;
    }, { timeoutMs: 10_000, message: 'start records of envu and follower' }).catch(() => null)) ?? (await starts());
    const pidsAfter = await pids();
    const restartedByEnv = all.filter((n) => pidsAfter[n] !== pidsBefore[n]);

    await project.manifest(manifestLines(7));
    await client.applyAndWait({ path: project.manifestPath, timeout_ms: 20_000 });
    const pidsUpdated = await pids();
    const restartedByUpdate = all.filter((n) => pidsUpdated[n] !== pidsAfter[n]);
    const diff = await project.sbx(['diff']);

    const delta = (a: Record<string, number>, b: Record<string, number>) => all.filter((n) => b[n] !== a[n]);
    figure(
      `S23 idempotence: 100 identical applies (avg ${Math.round(applyMs)} ms) spawned ${delta(initial, afterSame).length} units, ${notInSync} plans not in sync; ` +
        `env file edit restarted [${restartedByEnv.join(', ')}]; max_restarts-only change restarted [${restartedByUpdate.join(', ')}]; sbx diff exit ${diff.exitCode} ` +
        `(pass: 0 spawns, exactly envu + follower, 0 restarts, diff 0)`,
    );
    expect(delta(initial, afterSame)).toEqual([]);
    expect(notInSync).toBe(0);
    expect(restartedByEnv.sort()).toEqual(['envu', 'follower']);
    expect(delta(afterSame, afterEnv).sort()).toEqual(['envu', 'follower']);
    expect(restartedByUpdate).toEqual([]);
    expect(diff.exitCode).toBe(0);
  }, 300_000);

  it('10 concurrent applies of different manifests end in exactly one of them', async () => {
    project = await RelProject.create('s23c');
    const variant = (i: number) => ['services:', unit('shared-a'), unit('shared-b'), unit(`only-m${i}`)];
    await project.manifest(variant(0), { MANIFEST: 'm0' });
    await project.sbxOk(['apply']);
    const client = await project.client();
    for (let i = 0; i < 10; i++) {
      await project.manifest(variant(i), { MANIFEST: `m${i}` });
      await project.write(`m${i}.yaml`, await readFile(project.manifestPath, 'utf8'));
    }
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => client.applyAndWait({ path: project!.path(`m${i}.yaml`), timeout_ms: 60_000 })));
    const status = await client.status();
    const units = status.units.map((u) => u.name).sort();
    const own = units.filter((n) => n.startsWith('only-'));
    const winner = own.length === 1 ? own[0]!.slice('only-'.length) : null;
    const tags = await Promise.all(
      project.censusPids().map(async (pid) => (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0').find((e) => e.startsWith('MANIFEST=')) ?? '?'),
    );
    const mixed = tags.filter((t) => t !== `MANIFEST=${winner}`).length;
    const diff = winner ? await project.sbx(['diff', `${winner}.yaml`]) : null;
    const superseded = outcomes.filter((o) => o.status === 'fulfilled' && o.value.superseded).length;
    const refused = outcomes.filter((o) => o.status === 'rejected').length;
    figure(
      `S23 concurrency: 10 concurrent applies -> final state = ${winner ?? 'MIXED'} (units ${units.join(', ')}), ${mixed} processes from another manifest, ` +
        `${superseded} superseded, ${refused} refused, diff ${winner}.yaml exit ${diff?.exitCode} (pass: exactly one manifest, no mix, diff 0)`,
    );
    expect(winner).not.toBeNull();
    expect(units).toEqual(['shared-a', 'shared-b', `only-${winner}`].sort());
    expect(tags).toHaveLength(3);
    expect(mixed).toBe(0);
    expect(diff?.exitCode).toBe(0);
  }, 300_000);
});
