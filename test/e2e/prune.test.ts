// Prune (issue 4): apply removes what an earlier apply of this manifest created and the manifest no longer declares
// (`--no-prune` keeps it); a unit created through the API is never pruned by an apply.

import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/daemon/api-client.js';
import { eventually } from '../helpers/eventually.js';
import { E2eProject, isAlive, TICKER_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
afterEach(async () => {
  await project?.teardown();
  project = null;
});

const manifest = (recordDir: string, names: string[]): string => `version: 1
name: prune
environment:
  RECORD_DIR: ${recordDir}
  TICK_S: "1"
services:
${names.map((name) => `  ${name}:\n    cmd: /bin/sh\n    args: [${TICKER_FIXTURE}]\n    env: { UNIT_NAME: ${name} }\n`).join('')}`;

describe('prune', () => {
  it('deletes a unit dropped from the manifest (kept with --no-prune) and never one created through the API', async () => {
    project = await E2eProject.create('sbx-e2e-prune-');
    await project.write('sandbox.yaml', manifest(project.recordDir, ['keep', 'drop']));
    expect((await project.sbxOk(['apply'])).stdout).toMatch(/2 units ready/);

    const client = await ApiClient.forStateDir(project.path('.sbx'));
    await client.upsertService('from-api', { cmd: '/bin/sh', args: [TICKER_FIXTURE], env: { UNIT_NAME: 'from-api', RECORD_DIR: project.recordDir } });
    await client.startService('from-api');
    await eventually(async () => (await project!.units())['from-api']?.phase === 'ready', { message: 'from-api ready' });
    const before = await project.pids();

    // Dropped from the manifest, applied with --no-prune: everything keeps running.
    await project.write('sandbox.yaml', manifest(project.recordDir, ['keep']));
    const diff = await project.sbx(['diff']);
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toMatch(/drop.*not in manifest/);
    expect(diff.stdout).not.toMatch(/from-api/);
    expect((await project.sbx(['diff', '--no-prune'])).exitCode).toBe(0);
    await project.sbxOk(['apply', '--no-prune']);
    expect(await project.pids()).toEqual(before);

    // Applied with pruning: `drop` is stopped and forgotten, the API's unit and `keep` are untouched.
    await project.sbxOk(['apply']);
    const after = await project.pids();
    expect(Object.keys(after).sort()).toEqual(['from-api', 'keep']);
    expect(after.keep).toBe(before.keep);
    expect(after['from-api']).toBe(before['from-api']);
    expect(await isAlive(before.drop!)).toBe(false);
    expect((await project.sbx(['diff'])).exitCode).toBe(0);
    expect(await project.starts('from-api')).toHaveLength(1);
  });
});
