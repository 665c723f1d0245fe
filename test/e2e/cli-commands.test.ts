// The CLI commands no other e2e test drives, through the real `sbx`: `logs` (each stream, --tail, -f), `ps` as the
// alias of `status`, `delete` (the unit's processes end, the others are untouched), `why` for a unit held by a failed
// dependency, `apply --dry-run` (prints the plan, exits 0, changes nothing), `exec` on a server, and the exit code of a
// `start` that ends with the unit failed.

import { appendFile, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { BackgroundSbx } from './helpers/background-sbx.js';
import { E2eProject, isAlive, TICKER_FIXTURE, UNIT_FIXTURE } from './helpers/e2e-project.js';

/** Prints `out 1..5` on stdout, `err 1..3` on stderr, then echoes lines appended to `<name>.say` (see the file). */
const LOG_LINES_FIXTURE = fileURLToPath(new URL('../fixtures/e2e/log-lines.sh', import.meta.url));
const STDOUT_LINES = ['out 1', 'out 2', 'out 3', 'out 4', 'out 5'];
const STDERR_LINES = ['err 1', 'err 2', 'err 3'];

let project: E2eProject | null = null;
let follower: BackgroundSbx | null = null;
afterEach(async () => {
  await follower?.stop();
  follower = null;
  await project?.teardown();
  project = null;
});

const ticker = (name: string, { needs = [], value }: { needs?: string[]; value?: string } = {}): string =>
  `  ${name}:\n    cmd: /bin/sh\n    args: [${TICKER_FIXTURE}]\n    env: { UNIT_NAME: ${name}${value === undefined ? '' : `, VALUE: ${value}`} }\n` +
  (needs.length > 0 ? `    needs: [${needs.join(', ')}]\n` : '');

const manifest = (recordDir: string, services: string, servers = ''): string =>
  `version: 1\nname: cli-commands\nenvironment:\n  RECORD_DIR: ${recordDir}\n  TICK_S: "1"\nservices:\n${services}${servers === '' ? '' : `servers:\n${servers}`}`;

const loggerUnit = `  logger:\n    cmd: /bin/sh\n    args: [${LOG_LINES_FIXTURE}]\n    env: { UNIT_NAME: logger }\n`;

/** The lines of a CLI output (none for an empty one). */
const linesOf = (text: string): string[] => (text === '' ? [] : text.split('\n'));

/** `sbx logs ARGS` as lines; fails unless it exits 0. */
const logLines = async (p: E2eProject, args: string[]): Promise<string[]> => linesOf((await p.sbxOk(['logs', ...args])).stdout);

/**
 * `sbx logs logger` once all the fixture printed at start is stored: ready comes as soon as the shell started, the
 * lines reach the store a moment later.
 */
const everyStartupLineOfLogger = async (p: E2eProject): Promise<string[]> => {
  let lines: string[] = [];
  await eventually(async () => (lines = await logLines(p, ['logger'])).length >= STDOUT_LINES.length + STDERR_LINES.length, {
    message: 'every startup line of logger stored',
  });
  return lines;
};

/** Live processes of the project started as unit `name` (the unit's process and its children, e.g. the ticker's `sleep`). */
const unitProcesses = async (p: E2eProject, name: string): Promise<number[]> => {
  const pids: number[] = [];
  for (const pid of await p.census()) {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`UNIT_NAME=${name}`)) pids.push(pid);
  }
  return pids;
};

/**
 * The table with each AGE cell (`9s`, `10s`, `1m5s`) and its padding replaced by one placeholder: ages tick between two
 * calls, and the right-aligned column pads `9s` one space more than `10s`.
 */
const withoutAges = (table: string): string => table.replace(/ +\d+[smhd](?:\d+[smh])?(?= |$)/gm, ' <age>');

describe('sbx logs', () => {
  it('prints stdout, stderr or both (the default) as stored, and exactly the last N lines with --tail', async () => {
    project = await E2eProject.create('sbx-e2e-logs-');
    await project.write('sandbox.yaml', manifest(project.recordDir, loggerUnit));
    await project.sbxOk(['apply']);
    const combined = await everyStartupLineOfLogger(project);

    expect(await logLines(project, ['logger', '--stream', 'stdout'])).toEqual(STDOUT_LINES);
    expect(await logLines(project, ['logger', '--stream', 'stderr'])).toEqual(STDERR_LINES);
    // Combined holds both streams, each in its own order (the two pipes are read independently, so how they
    // interleave is not fixed).
    expect(combined).toHaveLength(STDOUT_LINES.length + STDERR_LINES.length);
    expect(combined.filter((line) => line.startsWith('out '))).toEqual(STDOUT_LINES);
    expect(combined.filter((line) => line.startsWith('err '))).toEqual(STDERR_LINES);
    expect(await logLines(project, ['logger', '--stream', 'combined'])).toEqual(combined);

    expect(await logLines(project, ['logger', '--stream', 'stdout', '--tail', '2'])).toEqual(['out 4', 'out 5']);
    expect(await logLines(project, ['logger', '--stream', 'stderr', '-n', '1'])).toEqual(['err 3']);
    expect(await logLines(project, ['logger', '--tail', '3'])).toEqual(combined.slice(-3));
    expect(await logLines(project, ['logger', '--tail', '0'])).toEqual([]);
    expect(await logLines(project, ['logger', '--stream', 'stderr', '--tail', '100'])).toEqual(STDERR_LINES);

    // Several units (here: all of them, by naming none): each line carries its unit and stream, `|` stdout, `!` stderr.
    const prefixed = await logLines(project, ['--stream', 'combined']);
    expect(prefixed.filter((line) => line.startsWith('logger | '))).toEqual(STDOUT_LINES.map((line) => `logger | ${line}`));
    expect(prefixed.filter((line) => line.startsWith('logger ! '))).toEqual(STDERR_LINES.map((line) => `logger ! ${line}`));
    // -t puts when sbx read each line before it.
    const stamped = await logLines(project, ['logger', '--stream', 'stderr', '-t']);
    expect(stamped).toHaveLength(STDERR_LINES.length);
    for (const [i, line] of stamped.entries()) expect(line).toMatch(new RegExp(`^logger ! \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${STDERR_LINES[i]}$`));
  });

  it('-f prints the requested tail, then every new line as the unit writes it (`|` stdout, `!` stderr)', async () => {
    project = await E2eProject.create('sbx-e2e-logs-follow-');
    await project.write('sandbox.yaml', manifest(project.recordDir, loggerUnit));
    await project.sbxOk(['apply']);
    const stored = await everyStartupLineOfLogger(project);
    const lastStored = stored.at(-1)!;
    const lastMarker = lastStored.startsWith('err ') ? '!' : '|';

    // Seeing the one tail line proves the follower is subscribed: whatever the unit writes next reaches it.
    follower = new BackgroundSbx(project.dir, project.tag, ['logs', '-f', '--tail', '1', 'logger']);
    await follower.waitFor(/^logger [|!] /);
    const afterTail = follower.mark();
    expect(follower.lines).toEqual([`logger ${lastMarker} ${lastStored}`]);

    await appendFile(project.path('records/logger.say'), 'hello from the test\n');
    await follower.waitFor(/^logger \| hello from the test$/, { from: afterTail });
    await appendFile(project.path('records/logger.say'), 'e trouble from the test\n');
    await follower.waitFor(/^logger ! trouble from the test$/, { from: afterTail });
    expect(follower.lines.slice(afterTail)).toEqual(['logger | hello from the test', 'logger ! trouble from the test']);

    await follower.stop();
    follower = null;
    // The follower saw what was stored too.
    expect(await logLines(project, ['logger', '--tail', '2'])).toEqual(['hello from the test', 'trouble from the test']);

    // Without --tail, -f prints everything stored first, like `docker compose logs -f`.
    follower = new BackgroundSbx(project.dir, project.tag, ['logs', '-f', 'logger']);
    await follower.waitFor(/^logger ! trouble from the test$/);
    expect(follower.lines.map((line) => line.slice('logger | '.length))).toEqual([...stored, 'hello from the test', 'trouble from the test']);
  });
});

describe('sbx ps', () => {
  it('prints the same table and the same --json as sbx status', async () => {
    project = await E2eProject.create('sbx-e2e-ps-');
    await project.write('sandbox.yaml', manifest(project.recordDir, `${ticker('alpha')}${ticker('beta')}`));
    await project.sbxOk(['apply']);

    const statusJson = JSON.parse((await project.sbxOk(['status', '--json'])).stdout) as unknown;
    const psJson = JSON.parse((await project.sbxOk(['ps', '--json'])).stdout) as unknown;
    expect(psJson).toEqual(statusJson);
    expect(psJson).toMatchObject({ running: true, units: [{ name: 'alpha', phase: 'ready' }, { name: 'beta', phase: 'ready' }] });

    const pids = await project.pids();
    const statusTable = (await project.sbxOk(['status'])).stdout;
    const psTable = (await project.sbxOk(['ps'])).stdout;
    expect(withoutAges(psTable)).toEqual(withoutAges(statusTable));
    expect(linesOf(psTable)[0]).toMatch(/^NAME\s+KIND\s+STATUS\s+PID\s+PORT\s+RESTARTS\s+HEALTH\s+AGE\s+NOTE$/);
    expect(psTable).toMatch(new RegExp(`^alpha\\s+service\\s+ready\\s+${pids.alpha}\\s`, 'm'));
    expect(psTable).toMatch(new RegExp(`^beta\\s+service\\s+ready\\s+${pids.beta}\\s`, 'm'));
  });
});

describe('sbx delete', () => {
  it("ends the unit's processes and removes it from status; other units keep running with the same pid", async () => {
    project = await E2eProject.create('sbx-e2e-delete-');
    await project.write('sandbox.yaml', manifest(project.recordDir, `${ticker('keep')}${ticker('gone')}`));
    await project.sbxOk(['apply']);
    const before = await project.pids();
    expect(await unitProcesses(project, 'gone')).toContain(before.gone);

    const deleted = await project.sbxOk(['delete', 'gone']);
    expect(deleted.stdout).toBe('gone: deleted');

    expect(await isAlive(before.gone!)).toBe(false);
    expect(await unitProcesses(project, 'gone')).toEqual([]);
    const after = await project.units();
    expect(Object.keys(after)).toEqual(['keep']);
    expect(after.keep).toMatchObject({ phase: 'ready', pid: before.keep });
    expect(await isAlive(before.keep!)).toBe(true);
    expect(await project.starts('keep')).toHaveLength(1);
    // The definition is gone, not only the process: the manifest's `gone` is new again.
    const diff = await project.sbx(['diff']);
    expect(diff.exitCode, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/^\+ start gone: new$/m);
  });
});

describe('sbx exec and sbx start', () => {
  it('exec runs in a server unit too (its folder and environment); start exits 1 with the reason when the unit fails or is not ready within --timeout', async () => {
    project = await E2eProject.create('sbx-e2e-exec-');
    const servers = `  web:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: web, GREETING: hello-from-web }
  dies:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: dies, HEALTH_DELAY_MS: "60000", EXIT_AFTER_MS: "300", EXIT_CODE: "7" }
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
    restart_policy: never
  slow:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: slow, HEALTH_DELAY_MS: "600000" }
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
`;
    await project.write('sandbox.yaml', manifest(project.recordDir, ticker('alpha'), servers));
    const applied = await project.sbx(['apply', '--timeout', '3s']);
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(1);

    const exec = await project.sbx(['exec', 'web', '--', 'sh', '-c', 'printf "%s in %s" "$GREETING" "$PWD"; exit 4']);
    expect(exec).toMatchObject({ exitCode: 4, stdout: `hello-from-web in ${project.dir}` });

    const started = await project.sbx(['start', 'dies']);
    expect(started.exitCode).toBe(1);
    expect(started.stdout).toBe('dies: started (failed)');
    expect(started.stderr).toMatch(/^dies: not ready: .*exited with code 7/);
    expect((await project.sbx(['start', 'alpha'])).exitCode).toBe(0);
    // A unit that never turns healthy: start answers after --timeout (not never), with the unit still on its way.
    const waited = await project.sbx(['start', '--timeout', '1s', 'slow']);
    expect(waited.exitCode).toBe(1);
    expect(waited.stderr).toMatch(/^slow: not ready: still \w+ after 1s$/);
  });
});

describe('sbx why', () => {
  it('names the hold, the chain of blockers down to the failed dependency and its last exit', async () => {
    project = await E2eProject.create('sbx-e2e-why-');
    const broken = `  broken:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: broken, HEALTH_DELAY_MS: "60000", EXIT_AFTER_MS: "300", EXIT_CODE: "3" }
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
    restart_policy: never
`;
    await project.write('sandbox.yaml', manifest(project.recordDir, `${ticker('top', { needs: ['middle'] })}${ticker('middle', { needs: ['broken'] })}`, broken));
    const applied = await project.sbx(['apply', '--timeout', '60s']);
    expect(applied.exitCode, applied.stdout + applied.stderr).toBe(1);
    const units = await project.units();
    expect(units.top!.hold).toMatchObject({ reason: 'dependency-failed', on: ['middle'] });
    expect(units.broken).toMatchObject({ phase: 'failed', exit_code: 3 });

    const why = await project.sbx(['why', 'top']);
    expect(why.exitCode, why.stderr).toBe(0);
    const lines = linesOf(why.stdout);
    expect(lines[0]).toBe('· top is not ready: pending, dependency-failed: middle');
    expect(lines).toContain('blocked by:');
    expect(lines).toContain('  top → middle → broken (failed: exited with code 3; restart_policy is never)');
    expect(why.stdout).toMatch(/^last exit of broken: exited with code 3, \d+\w* ago$/m);
    // The failed dependency's log tail, the fixture's own words included.
    expect(why.stdout).toMatch(/^ {2}│ broken: giving up on purpose with code 3$/m);
    // Only the root cause's log is shown: top and middle never ran.
    expect(why.stdout).not.toMatch(/last exit of (top|middle)|(top|middle)'s log/);
  });
});

describe('sbx apply --dry-run', () => {
  it('prints the plan for a changed manifest, exits 0 and changes nothing', async () => {
    project = await E2eProject.create('sbx-e2e-dry-run-');
    await project.write('sandbox.yaml', manifest(project.recordDir, `${ticker('steady')}${ticker('changing', { value: 'one' })}${ticker('dropped')}`));
    await project.sbxOk(['apply']);
    const before = await project.pids();

    await project.write('sandbox.yaml', manifest(project.recordDir, `${ticker('steady')}${ticker('changing', { value: 'two' })}${ticker('added')}`));
    const dryRun = await project.sbx(['apply', '--dry-run']);
    expect(dryRun.exitCode, dryRun.stdout + dryRun.stderr).toBe(0);
    const plan = linesOf(dryRun.stdout);
    expect(plan).toContain('+ start added: new');
    expect(plan.find((line) => line.startsWith('~ restart changing: '))).toMatch(/env VALUE changed/);
    expect(plan.find((line) => line.startsWith('- delete dropped'))).toMatch(/not in manifest/);
    expect(plan.some((line) => line.includes('steady'))).toBe(false);
    expect(plan.at(-1)).toBe('1 to start, 1 to restart, 1 to delete');

    // Nothing happened: the same units with the same pids, nothing started again, `added` never started.
    expect(await project.pids()).toEqual(before);
    for (const pid of Object.values(before)) expect(await isAlive(pid!)).toBe(true);
    for (const name of ['steady', 'changing', 'dropped']) expect(await project.starts(name)).toHaveLength(1);
    expect(await project.starts('added')).toEqual([]);
    const diff = await project.sbx(['diff']);
    expect(diff.exitCode, diff.stderr).toBe(1);
    expect(diff.stdout).toBe(dryRun.stdout);
  });
});
