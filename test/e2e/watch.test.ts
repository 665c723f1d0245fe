// Must show (issue 4): `sbx apply --watch`: a valid edit converges; a broken edit prints file:line:col and changes
// nothing (last known good); fixing it converges again; an env file edit restarts its reader. Edits are plain writes
// and editor-style atomic saves.

import { rename, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundSbx } from './helpers/background-sbx.js';
import { E2eProject, UNIT_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
let watcher: BackgroundSbx | null = null;
afterEach(async () => {
  await watcher?.stop();
  watcher = null;
  await project?.teardown();
  project = null;
});

const manifest = (recordDir: string, value: string, policy = 'on-failure'): string => `version: 1
name: watch
environment:
  RECORD_DIR: ${recordDir}
servers:
  w1:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: w1, VALUE: ${value} }
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
    restart_policy: ${policy}
  w2:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: w2, VALUE: steady }
    env_file: w2.env
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
`;

/** 1-based line and column of `needle` in `text`. */
const locate = (text: string, needle: string): [number, number] => {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${needle} not in the manifest`);
  return [line + 1, lines[line]!.indexOf(needle) + 1];
};

/** What a unit's fixture answers on / (its VALUE), through the port sbx assigned. */
const served = async (p: E2eProject, unit: string): Promise<string> => {
  const port = (await p.units())[unit]?.port;
  const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { value: string };
  return body.value;
};

describe('sbx apply --watch', () => {
  it('applies valid edits, reports broken ones with file:line:col and keeps the units as they are', async () => {
    project = await E2eProject.create('sbx-e2e-watch-');
    const path = project.path('sandbox.yaml');
    await project.write('sandbox.yaml', manifest(project.recordDir, 'one'));
    await project.write('w2.env', 'COLOR=blue\n');
    watcher = new BackgroundSbx(project.dir, project.tag, ['apply', '--watch']);
    await watcher.waitFor(/watching for changes/, { timeoutMs: 60_000 });
    expect(watcher.textFrom(0)).toMatch(/2 units ready/);
    const first = await project.pids();
    expect(await served(project, 'w1')).toBe('one');

    // A valid edit (a plain write): only w1 restarts, with the new value.
    let mark = watcher.mark();
    await writeFile(path, manifest(project.recordDir, 'two'));
    await watcher.waitFor(/watching for changes/, { from: mark, timeoutMs: 30_000 });
    expect(watcher.textFrom(mark)).toMatch(/changed: sandbox\.yaml/);
    expect(watcher.textFrom(mark)).toMatch(/restart w1/);
    const second = await project.pids();
    expect(second.w1).not.toBe(first.w1);
    expect(second.w2).toBe(first.w2);
    expect(await served(project, 'w1')).toBe('two');

    // A broken value: located, nothing changes.
    mark = watcher.mark();
    const badValue = manifest(project.recordDir, 'three', 'sometimes');
    const [line, col] = locate(badValue, 'sometimes');
    await writeFile(path, badValue);
    await watcher.waitFor(/last known good/, { from: mark, timeoutMs: 30_000 });
    expect(watcher.textFrom(mark)).toContain(`sandbox.yaml:${line}:${col}`);
    expect(await project.pids()).toEqual(second);
    expect(await served(project, 'w1')).toBe('two');

    // A YAML syntax error, saved the way editors do (write a temp file, rename it over): located, nothing changes.
    mark = watcher.mark();
    const broken = manifest(project.recordDir, 'three').replace('{ UNIT_NAME: w1, VALUE: three }', '{ UNIT_NAME: w1, VALUE: three');
    await writeFile(`${path}.tmp`, broken);
    await rename(`${path}.tmp`, path);
    await watcher.waitFor(/last known good/, { from: mark, timeoutMs: 30_000 });
    expect(watcher.textFrom(mark)).toMatch(/sandbox\.yaml:\d+:\d+/);
    expect(await project.pids()).toEqual(second);

    // Fixed (again an atomic save): converges to the new value.
    mark = watcher.mark();
    await writeFile(`${path}.tmp`, manifest(project.recordDir, 'three'));
    await rename(`${path}.tmp`, path);
    await watcher.waitFor(/watching for changes/, { from: mark, timeoutMs: 30_000 });
    const third = await project.pids();
    expect(third.w1).not.toBe(second.w1);
    expect(third.w2).toBe(first.w2);
    expect(await served(project, 'w1')).toBe('three');
    expect(await project.starts('w1')).toHaveLength(3);
    expect(await project.starts('w2')).toHaveLength(1);

    // An env file's content changes: only the unit that reads it restarts.
    mark = watcher.mark();
    await writeFile(project.path('w2.env'), 'COLOR=green\n');
    await watcher.waitFor(/watching for changes/, { from: mark, timeoutMs: 30_000 });
    expect(watcher.textFrom(mark)).toMatch(/changed: w2\.env/);
    const fourth = await project.pids();
    expect(fourth.w1).toBe(third.w1);
    expect(fourth.w2).not.toBe(third.w2);
    expect(await project.starts('w2')).toHaveLength(2);
  });
});
