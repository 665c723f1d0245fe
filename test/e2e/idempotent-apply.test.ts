// Must show (issue 4): applying the same manifest twice does nothing the second time and says so; changing one env
// file restarts exactly the units that read it; changing only max_restarts restarts nothing.

import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eProject, TICKER_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
afterEach(async () => {
  await project?.teardown();
  project = null;
});

/** Four tickers: alpha and beta read shared.env, gamma reads gamma.env, delta reads none and needs alpha (not restarting with it). */
const manifest = (recordDir: string, maxRestarts = 3): string => `version: 1
name: idempotent
environment:
  RECORD_DIR: ${recordDir}
  TICK_S: "1"
services:
  alpha:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env_file: shared.env
    env: { UNIT_NAME: alpha }
    restart_policy: on-failure
    max_restarts: ${maxRestarts}
  beta:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env_file: [shared.env]
    env: { UNIT_NAME: beta }
  gamma:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env_file: gamma.env
    env: { UNIT_NAME: gamma }
  delta:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env: { UNIT_NAME: delta }
    needs: [alpha]
`;

const UNITS = ['alpha', 'beta', 'delta', 'gamma'];

const setUp = async (): Promise<E2eProject> => {
  const p = await E2eProject.create('sbx-e2e-idem-');
  await p.write('sandbox.yaml', manifest(p.recordDir));
  await p.write('shared.env', 'GREETING=hello\n');
  await p.write('gamma.env', 'MODE=one\n');
  return p;
};

describe('sbx apply is idempotent and restarts only what changed', () => {
  it('a second apply of the same manifest starts, stops and restarts nothing, and says the project is in sync', async () => {
    project = await setUp();
    const first = await project.sbxOk(['apply']);
    expect(first.stdout).toMatch(/4 units ready/);
    const pids = await project.pids();
    expect(Object.keys(pids).sort()).toEqual(UNITS);

    const second = await project.sbxOk(['apply', '--json']);
    const messages = second.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; in_sync?: boolean; actions?: unknown[]; event?: { type: string } });
    const plan = messages.find((m) => m.type === 'plan');
    expect(plan).toMatchObject({ in_sync: true, actions: [] });
    expect(messages.filter((m) => m.type === 'event' && m.event?.type === 'action')).toEqual([]);
    expect((await project.sbxOk(['apply'])).stdout).toMatch(/in sync/);
    expect((await project.sbx(['diff'])).exitCode).toBe(0);

    expect(await project.pids()).toEqual(pids);
    for (const unit of UNITS) expect(await project.starts(unit)).toHaveLength(1);
  });

  it('changing one env file restarts exactly the units that read it; diff names the file first', async () => {
    project = await setUp();
    await project.sbxOk(['apply']);
    const before = await project.pids();

    await project.write('shared.env', 'GREETING=bonjour\n');
    const diff = await project.sbx(['diff']);
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toMatch(/alpha.*shared\.env/);
    expect(diff.stdout).toMatch(/beta.*shared\.env/);
    expect(diff.stdout).not.toMatch(/gamma|delta/);

    const applied = await project.sbxOk(['apply']);
    expect(applied.stdout).toMatch(/4 units ready/);
    const after = await project.pids();
    expect(after.alpha).not.toBe(before.alpha);
    expect(after.beta).not.toBe(before.beta);
    expect(after.gamma).toBe(before.gamma);
    expect(after.delta).toBe(before.delta);
    expect(await project.starts('alpha')).toHaveLength(2);
    expect(await project.starts('beta')).toHaveLength(2);
    expect(await project.starts('gamma')).toHaveLength(1);
    expect(await project.starts('delta')).toHaveLength(1);
    expect((await project.sbx(['diff'])).exitCode).toBe(0);
  });

  it('changing only max_restarts restarts nothing', async () => {
    project = await setUp();
    await project.sbxOk(['apply']);
    const before = await project.pids();

    await project.write('sandbox.yaml', manifest(project.recordDir, 7));
    const diff = await project.sbx(['diff']);
    expect(diff.stdout).not.toMatch(/restart alpha/);
    await project.sbxOk(['apply']);

    expect(await project.pids()).toEqual(before);
    for (const unit of UNITS) expect(await project.starts(unit)).toHaveLength(1);
    expect((await project.sbx(['diff'])).exitCode).toBe(0);
  });

  it("changing an overlay's source re-syncs it and restarts exactly the units that need it, before apply returns", async () => {
    project = await E2eProject.create('sbx-e2e-overlay-');
    await project.write('template/page.txt', 'first\n');
    await project.write(
      'sandbox.yaml',
      `version: 1
environment:
  RECORD_DIR: ${project.recordDir}
  TICK_S: "1"
overlays:
  - { name: pages, source: ./template, target: ./.work/pages }
services:
  reader:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env: { UNIT_NAME: reader }
    needs: [pages]
  bystander:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env: { UNIT_NAME: bystander }
`,
    );
    await project.sbxOk(['apply']);
    const before = await project.pids();

    await project.write('template/page.txt', 'second\n');
    const diff = await project.sbx(['diff']);
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toMatch(/pages/);
    expect(diff.stdout).not.toMatch(/bystander/);
    await project.sbxOk(['apply']);
    // Right when apply returns: copied, reader restarted and ready, bystander untouched.
    expect(await readFile(project.path('.work/pages/page.txt'), 'utf8')).toBe('second\n');
    const after = await project.units();
    expect(after.reader).toMatchObject({ phase: 'ready' });
    expect(after.reader!.pid).not.toBe(before.reader);
    expect(after.bystander!.pid).toBe(before.bystander);
    expect(await project.starts('reader')).toHaveLength(2);
    expect(await project.starts('bystander')).toHaveLength(1);
    expect((await project.sbx(['diff'])).exitCode).toBe(0);
  });

  it('after `sbx down`, apply brings every unit up again and reports them ready', async () => {
    project = await setUp();
    await project.sbxOk(['apply']);
    await project.sbxOk(['down']);
    expect(await project.census()).toEqual([]);
    // status after down says nothing runs, and starts no daemon to say it.
    expect(await project.status()).toMatchObject({ running: false, units: [] });
    expect(await project.census()).toEqual([]);

    const again = await project.sbx(['apply']);
    expect(again.stdout).toMatch(/4 units ready/);
    expect(again.exitCode).toBe(0);
    for (const unit of UNITS) expect(await project.starts(unit)).toHaveLength(2);
  });
});
