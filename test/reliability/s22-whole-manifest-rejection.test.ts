// S22 Whole-manifest rejection (reliability-anchors.md §2.G; systemd#5813, #23199, #6237; supervisord#902).
// 50 valid running units, then one fault at a time: an unknown key, a typo (`restart_polcy`), `user: 0day`, `needs`
// naming a missing unit, a cycle, a duplicate (strict) port, a `health_port` out of range, a missing required
// `env_file`, an overlay target outside the project (here `..`, which holds the project: see the README's guarantees
// for which outside targets sbx allows). Pass: non-zero exit; every error reported with file:line:col; every
// (pid, start time) unchanged; 0 execs while `apply` runs; unknown keys rejected, never ignored. Scaled: nothing.

import { mkdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { figure, fixture, freePort, identityOf, RelProject } from './harness/rel-project.js';

const UNITS = 50;
const names = Array.from({ length: UNITS }, (_, i) => `u${String(i).padStart(2, '0')}`);

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

const unitLine = (name: string, extra = ''): string =>
  `  ${name}: { cmd: /bin/sh, args: [${fixture('recorded.sh')}, sleep, "100000"], env: { UNIT: ${name} }${extra ? `, ${extra}` : ''} }`;

/** The valid manifest with `extras` merged into some units' lines and `more` appended at the top level. */
const body = (extras: Record<string, string> = {}, more: string[] = []): string[] => [...more, 'services:', ...names.map((n) => unitLine(n, extras[n] ?? ''))];

describe('S22 whole-manifest rejection', () => {
  it('rejects each of 9 faults whole, located, changing nothing and starting nothing', async () => {
    project = await RelProject.create('s22');
    await mkdir(project.path('tpl'));
    const port = await freePort();
    await project.manifest(body());
    await project.sbxOk(['apply', '--timeout', '300s'], { timeoutMs: 320_000 });
    const client = await project.client();
    const pids = Object.fromEntries((await client.status()).units.map((u) => [u.name, u.pid!]));
    const identities = async () => Object.fromEntries(await Promise.all(names.map(async (n) => [n, await identityOf(pids[n]!)] as const)));
    const startCount = async () => (await Promise.all(names.map((n) => project!.recordLines(`${n}.starts`)))).reduce((sum, lines) => sum + lines.length, 0);
    const before = await identities();
    const startsBefore = await startCount();

    const faults: [string, string[]][] = [
      ['unknown key', body({ u00: 'colour: red' })],
      ['typo restart_polcy', body({ u01: 'restart_polcy: always' })],
      ['user 0day', body({ u02: 'user: 0day' })],
      ['needs a missing unit', body({ u03: 'needs: [nope]' })],
      ['a cycle', body({ u04: 'needs: [u05]', u05: 'needs: [u04]' })],
      ['duplicate strict port', body({ u06: `port: ${port}, strict_port: true`, u07: `port: ${port}` })],
      ['health_port out of range', body({ u08: 'health_port: 70000' })],
      ['missing required env_file', body({ u09: 'env_file: missing.env' })],
      ['overlay target outside the project', body({ u10: 'needs: [tpl]' }, ['overlays:', '  - { name: tpl, source: ./tpl, target: .. }'])],
    ];
    const results: string[] = [];
    for (const [what, lines] of faults) {
      await project.manifest(lines);
      const apply = await project.sbx(['apply', '--timeout', '30s']);
      const errorLines = apply.stderr.split('\n').filter((line) => / error: /.test(line));
      const located = errorLines.filter((line) => /sandbox\.yaml:\d+:\d+ error: /.test(line));
      const changed = Object.entries(await identities()).filter(([n, id]) => id !== before[n]).length;
      const execs = (await startCount()) - startsBefore;
      results.push(`${what}: exit ${apply.exitCode}, ${located.length}/${errorLines.length} located, ${changed} changed, ${execs} execs`);
      expect(apply.exitCode, `${what}\n${apply.stdout}\n${apply.stderr}`).not.toBe(0);
      expect(errorLines.length, `${what}: ${apply.stderr}`).toBeGreaterThan(0);
      expect(located, `${what}: ${apply.stderr}`).toEqual(errorLines);
      expect(changed).toBe(0);
      expect(execs).toBe(0);
    }
    expect(project.censusPids()).toHaveLength(UNITS);
    figure(`S22 whole-manifest rejection (${UNITS} running units): ${results.join('; ')} (pass: non-zero, every error at file:line:col, 0 changed, 0 execs)`);
  }, 600_000);
});
