// `sbx up`: apply, then follow every unit's logs with a prefix; Ctrl-C stops the project and leaves nothing running.

import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundSbx } from './helpers/background-sbx.js';
import { E2eProject, TICKER_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
let up: BackgroundSbx | null = null;
afterEach(async () => {
  await up?.stop();
  up = null;
  await project?.teardown();
  project = null;
});

describe('sbx up', () => {
  it('follows every unit with its prefix, and Ctrl-C stops every unit and the daemon', async () => {
    project = await E2eProject.create('sbx-e2e-up-');
    const unit = (name: string, needs: string[]): string =>
      `  ${name}:\n    cmd: /bin/sh\n    args: [${TICKER_FIXTURE}]\n    env: { UNIT_NAME: ${name} }\n    needs: [${needs.join(', ')}]\n`;
    await project.write(
      'sandbox.yaml',
      `version: 1\nenvironment:\n  RECORD_DIR: ${project.recordDir}\n  TICK_S: "0.3"\nservices:\n${unit('first', [])}${unit('second', ['first'])}`,
    );
    up = new BackgroundSbx(project.dir, project.tag, ['up']);
    await up.waitFor(/^first +\| tick 3$/, { timeoutMs: 60_000 });
    await up.waitFor(/^second +\| tick 3$/);
    const pids = Object.values(await project.pids());
    expect(pids.every((pid) => pid !== null)).toBe(true);

    const mark = up.mark();
    await up.stop();
    expect(up.textFrom(mark)).toMatch(/2 units stopped/);
    expect(await project.census()).toEqual([]);
  });
});
