// S29 running as another user, end to end through a manifest: `user: nobody` gives every process of the unit (its
// children too) uid and gid 65534 in all four slots, nobody's groups only and no capabilities; a malformed or unknown
// user is rejected at validation with its location (manifest) or field (API), and nothing ever falls back to root.
// Without privilege, a unit that needs another user fails with a clear reason instead of running as the caller.

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, chown, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { SecProject } from './security-project.js';

const NOBODY = 65534;
const nobodyGroups = execFileSync('id', ['-G', 'nobody'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number).sort((a, b) => a - b);

/** The identity lines of /proc/PID/status. */
const identity = async (pid: number) => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const line = (key: string): string => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  return {
    uid: line('Uid').split(/\s+/).map(Number),
    gid: line('Gid').split(/\s+/).map(Number),
    groups: line('Groups').split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b),
    capEff: line('CapEff'),
    capPrm: line('CapPrm'),
    capAmb: line('CapAmb'),
  };
};

const projects: SecProject[] = [];
afterEach(async () => {
  for (const project of projects.splice(0)) await project.teardown();
});

const newProject = async (manifest: string): Promise<SecProject> => {
  const project = await SecProject.create('sbx-s29-');
  projects.push(project);
  await project.write('sandbox.yaml', manifest);
  return project;
};

describe('S29 running as another user', () => {
  it('user: nobody → every process of the unit runs as 65534/65534 with nobody’s groups and no capabilities', async () => {
    const project = await newProject(
      [
        'version: 1',
        'services:',
        '  svc:',
        '    cmd: sleep',
        '    args: ["86400"]',
        '    user: nobody',
        '    working_dir: /',
        'servers:',
        '  web:',
        '    start: sleep 86401 & exec sleep 86402',
        '    user: nobody',
        '    path: /',
        '',
      ].join('\n'),
    );
    const applied = await project.sbx(['apply', '--timeout', '60s']);
    expect(applied).toMatchObject({ exitCode: 0 });
    const daemon = await project.daemonPid();
    const units = await eventually(async () => {
      const pids = (await project.census()).filter((pid) => pid !== daemon);
      return pids.length >= 3 ? pids : null;
    }, { message: 'the units and the server’s child' });
    const wrong: string[] = [];
    for (const pid of units as number[]) {
      const id = await identity(pid);
      const ok =
        id.uid.every((u) => u === NOBODY) &&
        id.uid.length === 4 &&
        id.gid.every((g) => g === NOBODY) &&
        id.gid.length === 4 &&
        JSON.stringify(id.groups) === JSON.stringify(nobodyGroups) &&
        /^0+$/.test(id.capEff) &&
        /^0+$/.test(id.capPrm) &&
        /^0+$/.test(id.capAmb);
      if (!ok) wrong.push(`${pid}: ${JSON.stringify(id)}`);
    }
    console.log(`S29 user: nobody: ${wrong.length} of ${(units as number[]).length} unit processes not exactly nobody without capabilities (pass: 0)`);
    expect(wrong).toEqual([]);
  });

  it('malformed and unknown users are rejected at validation, located, and apply starts nothing', async () => {
    const missing = `nosuch${randomUUID().slice(0, 8)}`;
    const users = ['0day', '1000x', ' nobody', 'nobody ', missing, '0', '-root', 'root\nnobody'];
    const project = await newProject(
      ['version: 1', 'services:', ...users.flatMap((user, i) => [`  u${i}:`, '    cmd: sleep', '    args: ["86400"]', `    user: ${JSON.stringify(user)}`]), ''].join('\n'),
    );
    const validated = await project.sbx(['validate', '--json']);
    expect(validated.exitCode).toBe(1);
    const diagnostics = (JSON.parse(validated.stdout) as { files: { diagnostics: { field?: string; location?: { line: number } }[] }[] }).files[0]?.diagnostics ?? [];
    const located = users.filter((_, i) => diagnostics.some((d) => d.field === `services.u${i}.user` && (d.location?.line ?? 0) === 6 + i * 4));
    console.log(`S29 bad users: ${located.length} of ${users.length} rejected at their line (pass: all)`);
    expect(located).toEqual(users);
    const applied = await project.sbx(['apply', '--timeout', '30s']);
    expect(applied.exitCode).not.toBe(0);
    const daemon = await project.daemonPid();
    expect((await project.census()).filter((pid) => pid !== daemon)).toEqual([]);
    const client = await project.client();
    expect((await client.status()).units).toEqual([]);
    for (const user of ['0day', missing]) {
      const answer = await client.upsertService('api-user', { cmd: 'sleep', args: ['86400'], user }).then(
        () => null,
        (error: { status?: number; field?: string | null }) => error,
      );
      expect(answer).toMatchObject({ status: 400, field: 'user' });
    }
  });

  it('without privilege, a unit that needs another user fails with a clear reason and never runs as the caller', async () => {
    const project = await newProject(
      ['version: 1', 'services:', '  as-root:', '    cmd: sleep', '    args: ["86400"]', '    user: root', '  as-me:', '    cmd: sleep', '    args: ["86400"]', '    user: nobody', ''].join('\n'),
    );
    await chown(project.dir, NOBODY, NOBODY);
    await chmod(project.dir, 0o755);
    const setpriv = ['/usr/bin/setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
    const asNobody = (args: string[]) => execFileSync(setpriv[0] as string, [...setpriv.slice(1), process.execPath, ...args], { cwd: project.dir, encoding: 'utf8', env: project.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    try {
      output = asNobody([`${process.cwd()}/dist/cli/bin.js`, 'apply', '--timeout', '30s']);
    } catch (error) {
      output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    }
    try {
      const status = JSON.parse(asNobody([`${process.cwd()}/dist/cli/bin.js`, 'status', '--json'])) as { units: { name: string; phase: string; last_error: string | null; pid: number | null }[] };
      const root = status.units.find((u) => u.name === 'as-root');
      expect(root).toMatchObject({ phase: 'failed', pid: null });
      expect(root?.last_error).toMatch(/running as user root needs root; sbx runs as uid 65534/);
      expect(status.units.find((u) => u.name === 'as-me')?.phase).toBe('ready');
      const daemon = await project.daemonPid();
      for (const pid of (await project.census()).filter((p) => p !== daemon)) expect((await identity(pid)).uid).toEqual([NOBODY, NOBODY, NOBODY, NOBODY]);
      expect(output).toMatch(/as-root/);
    } finally {
      try {
        asNobody([`${process.cwd()}/dist/cli/bin.js`, 'down']);
      } catch {
        // teardown reports leftovers
      }
    }
  });
});
