// The CLI's documented exit codes, end to end: apply 1 when a unit fails (naming it and why), diff 0/1/2,
// validate 1 with file:line:col, usage errors 2 with help.

import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eProject, TICKER_FIXTURE, UNIT_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
afterEach(async () => {
  await project?.teardown();
  project = null;
});

const ticker = (name: string): string => `  ${name}:\n    cmd: /bin/sh\n    args: [${TICKER_FIXTURE}]\n    env: { UNIT_NAME: ${name} }\n`;

describe('exit codes', () => {
  it('apply exits 1 when a unit fails before it is ready, naming it and why; its dependent fails, unrelated units come up', async () => {
    project = await E2eProject.create('sbx-e2e-exit-apply-');
    await project.write(
      'sandbox.yaml',
      `version: 1
environment:
  RECORD_DIR: ${project.recordDir}
  TICK_S: "1"
services:
${ticker('fine')}  after-broken:
    cmd: /bin/sh
    args: [${TICKER_FIXTURE}]
    env: { UNIT_NAME: after-broken }
    needs: [broken]
servers:
  broken:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: broken, HEALTH_DELAY_MS: "60000", EXIT_AFTER_MS: "300", EXIT_CODE: "1" }
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
    restart_policy: never
`,
    );
    const applied = await project.sbx(['apply', '--timeout', '60s']);
    const output = applied.stdout + applied.stderr;
    expect(applied.exitCode, output).toBe(1);
    expect(output).toMatch(/broken.*(exit|code) 1/);
    expect(output).toMatch(/after-broken \(dependency-failed: broken\)/);
    expect(output).toMatch(/1 unit ready/);
    const units = await project.units();
    expect(units.fine).toMatchObject({ phase: 'ready' });
    expect(units.broken).toMatchObject({ phase: 'failed', exit_code: 1 });
    expect(units['after-broken']!.pid).toBeNull();
    expect(await project.starts('after-broken')).toEqual([]);
  });

  it('diff exits 0 in sync, 1 with changes, 2 on an invalid or missing manifest', async () => {
    project = await E2eProject.create('sbx-e2e-exit-diff-');
    const good = `version: 1\nenvironment:\n  RECORD_DIR: ${project.recordDir}\n  TICK_S: "1"\nservices:\n${ticker('one')}`;
    await project.write('sandbox.yaml', good);
    await project.sbxOk(['apply']);
    expect((await project.sbx(['diff'])).exitCode).toBe(0);

    await project.write('sandbox.yaml', `${good}${ticker('two')}`);
    const changes = await project.sbx(['diff']);
    expect(changes.exitCode, changes.stderr).toBe(1);
    expect(changes.stdout).toMatch(/start two/);

    await project.write('sandbox.yaml', good.replace('cmd: /bin/sh', 'cmd: /bin/sh\n    restart_policy: sometimes'));
    const invalid = await project.sbx(['diff']);
    expect(invalid.exitCode, invalid.stdout + invalid.stderr).toBe(2);
    expect(invalid.stderr).toMatch(/sandbox\.yaml:8:21/);

    const missing = await project.sbx(['diff', 'nowhere.yaml']);
    expect(missing.exitCode, missing.stdout + missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/nowhere\.yaml/);
  });

  it('validate exits 0 or 1 with file:line:col; unknown commands and options exit 2 with help; no manifest exits 2', async () => {
    project = await E2eProject.create('sbx-e2e-exit-usage-');
    await project.write('good.yaml', `version: 1\nservices:\n  a: { cmd: /bin/true }\n`);
    await project.write('bad.yaml', `version: 1\nservices:\n  a:\n    cmd: /bin/true\n    restart_policy: sometimes\n`);
    const good = await project.sbx(['validate', 'good.yaml']);
    expect(good.exitCode, good.stderr).toBe(0);
    const bad = await project.sbx(['validate', 'bad.yaml']);
    expect(bad.exitCode, bad.stderr).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml:5:21/);
    expect(bad.stderr).toMatch(/restart_policy/);

    const unknownCommand = await project.sbx(['frobnicate']);
    expect(unknownCommand.exitCode, unknownCommand.stderr).toBe(2);
    expect(unknownCommand.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(unknownCommand.stderr).toMatch(/Usage: sbx/);

    const unknownOption = await project.sbx(['apply', '--frobnicate']);
    expect(unknownOption.exitCode, unknownOption.stderr).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--frobnicate'/);
    expect(unknownOption.stderr).toMatch(/Usage: sbx apply/);

    // No manifest here: apply, up and diff say so (2, an I/O error) and start no daemon.
    for (const command of ['apply', 'up', 'diff']) {
      const result = await project.sbx([command]);
      expect(result.exitCode, `${command}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/cannot read .*sandbox\.yaml: no such file/);
    }
    expect(existsSync(project.path('.sbx'))).toBe(false);
    expect(await project.census()).toEqual([]);
  });
});
