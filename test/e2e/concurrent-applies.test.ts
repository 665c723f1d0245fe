// Must show (issue 4): 10 concurrent `sbx apply` of different manifests of one project (no daemon running yet) end in
// exactly one of them, never a mix: its unit set, every process started from it, and `sbx diff` in sync with it only.

import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eProject, TICKER_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
afterEach(async () => {
  await project?.teardown();
  project = null;
});

const COUNT = 10;

/** Manifest i: two shared units and one of its own, every process marked MANIFEST=m<i>. */
const manifest = (recordDir: string, i: number): string => {
  const unit = (name: string): string => `  ${name}:\n    cmd: /bin/sh\n    args: [${TICKER_FIXTURE}]\n    env: { UNIT_NAME: ${name} }\n`;
  return `version: 1
name: race
environment:
  RECORD_DIR: ${recordDir}
  TICK_S: "1"
  MANIFEST: m${i}
services:
${unit('shared-a')}${unit('shared-b')}${unit(`only-m${i}`)}`;
};

const manifestOf = async (pid: number): Promise<string | undefined> =>
  (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').find((entry) => entry.startsWith('MANIFEST='))?.slice('MANIFEST='.length);

describe('concurrent applies', () => {
  it(`${COUNT} concurrent applies of different manifests end in exactly one of them`, async () => {
    project = await E2eProject.create('sbx-e2e-race-');
    for (let i = 0; i < COUNT; i++) await project.write(`m${i}.yaml`, manifest(project.recordDir, i));

    const results = await Promise.all(Array.from({ length: COUNT }, (_, i) => project!.sbx(['apply', `m${i}.yaml`], { timeoutMs: 120_000 })));

    const units = await project.units();
    const own = Object.keys(units).filter((name) => name.startsWith('only-'));
    expect(own).toHaveLength(1);
    const winner = own[0]!.slice('only-'.length);
    expect(Object.keys(units).sort()).toEqual([`only-${winner}`, 'shared-a', 'shared-b']);
    // The winner's apply succeeded; every other one either converged before it was replaced or says it was superseded.
    for (const [i, result] of results.entries()) {
      const output = `apply m${i}.yaml: ${result.stdout}${result.stderr}`;
      if (`m${i}` === winner) expect(result.exitCode, output).toBe(0);
      else if (result.exitCode !== 0) {
        expect(result.exitCode, output).toBe(1);
        expect(result.stdout, output).toMatch(/superseded/);
      } else expect(result.stdout, output).toMatch(/3 units ready/);
    }
    for (const unit of Object.values(units)) {
      expect(unit.phase, unit.name).toBe('ready');
      expect(await manifestOf(unit.pid!), `${unit.name} runs with the winner's environment`).toBe(winner);
    }
    // One daemon serves them all, and only the winner is in sync.
    const daemons = (await project.census()).filter((pid) => !Object.values(units).some((u) => u.pid === pid));
    const sbxDaemons = [];
    for (const pid of daemons) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('daemon')) sbxDaemons.push(pid);
    expect(sbxDaemons).toHaveLength(1);
    const loser = winner === 'm0' ? 'm1' : 'm0';
    expect((await project.sbx(['diff', `${winner}.yaml`])).exitCode).toBe(0);
    expect((await project.sbx(['diff', `${loser}.yaml`])).exitCode).toBe(1);
  });
});
