// S27 overlay escape, end to end through a manifest and the real daemon: overlays whose targets lie outside the
// project, fed from a hostile template (links to /etc and out of the tree, `..`, a FIFO, a device, setuid bits, a
// hardlink to a root-only file), re-applied again and again while a racer swaps target subdirectories for links out.
// Nothing outside the targets changes; /etc gets nothing; a target of `/` or one holding the source is refused.
// Builds on the copier's own tests and fixtures (test/runtime/overlay-*.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { fileHash, fillSource, makeWorkspace, removeWorkspace, snapshot, type Workspace } from '../runtime/overlay-fixture.js';
import { SecProject } from './security-project.js';

const RACER = fileURLToPath(new URL('../runtime/overlay-racer.mjs', import.meta.url));
const APPLIES = 25;

let ws: Workspace;
let project: SecProject | undefined;
let racer: ChildProcess | undefined;

beforeEach(() => {
  ws = makeWorkspace();
  fillSource(ws);
});
afterEach(async () => {
  if (racer && racer.exitCode === null && racer.signalCode === null) {
    const exited = new Promise((resolve) => racer?.once('exit', resolve));
    racer.kill('SIGKILL');
    await exited;
  }
  racer = undefined;
  await project?.teardown();
  project = undefined;
  removeWorkspace(ws);
});

/** Everything in the workspace but the targets' side (`work/`) and the project's own folder (its `.sbx/` changes). */
const outsideTargets = (): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(ws.root).filter((n) => n !== 'work' && n !== 'project')) {
    const full = path.join(ws.root, name);
    const st = fs.lstatSync(full);
    if (!st.isDirectory()) out[name] = `${st.mode.toString(8)} ${st.mtimeMs} ${st.isFile() ? fileHash(full) : ''}`;
    else for (const [rel, v] of Object.entries(snapshot(full))) out[`${name}/${rel}`] = v;
  }
  return out;
};

/** Template paths that turn up under /etc (a write through `link-abs-etc` would put them there). */
const templateFilesInEtc = (): string[] =>
  ['README.md', 'bin/run.sh', 'lib/a.txt', 'suid', 'sgid', 'packages/app/main.js', '.sbx-overlay.json'].filter((rel) => fs.existsSync(path.join('/etc', rel)));

const manifest = (overlays: { name: string; target: string; strategy: string }[]): string =>
  [
    'version: 1',
    'overlays:',
    ...overlays.flatMap((o) => [`  - name: ${o.name}`, '    source: ../src', `    target: ${JSON.stringify(o.target)}`, `    strategy: ${o.strategy}`]),
    'services:',
    '  app:',
    '    cmd: sleep',
    '    args: ["86400"]',
    `    needs: [${overlays.map((o) => o.name).join(', ')}]`,
    '',
  ].join('\n');

describe('S27 overlay escape through a manifest', () => {
  it(`targets outside the project, a hostile template and a racer in the target over ${APPLIES} applies: nothing written outside`, async () => {
    // The project lives inside the workspace, so `../src` and `../work/...` are outside it.
    project = await SecProject.at(path.join(ws.root, 'project'));
    await project.write('sandbox.yaml', manifest([
      { name: 'tpl-copy', target: '../work/copy', strategy: 'copy' },
      { name: 'tpl-smart', target: '../work/smart', strategy: 'smart' },
    ]));
    const passwd = fileHash('/etc/passwd');
    const before = outsideTargets();
    const first = await project.sbx(['apply', '--timeout', '60s']);
    expect(first).toMatchObject({ exitCode: 0 });
    const copy = path.join(ws.root, 'work', 'copy');
    expect(fs.readFileSync(path.join(copy, 'README.md'), 'utf8')).toBe('# template\n');
    expect(fs.existsSync(path.join(copy, 'link-abs-etc')), 'the link to /etc is refused, not copied').toBe(false);
    expect(fs.statSync(path.join(copy, 'suid')).mode & 0o7000, 'setuid stripped').toBe(0);

    let out = '';
    racer = spawn(process.execPath, [RACER, copy, ws.outside, '50000000', 'lib', 'lib/deep', 'packages/app'], { stdio: ['ignore', 'pipe', 'inherit'] });
    racer.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => out.includes('ready'), { message: 'the racer to start' });
    const changed: string[] = [];
    let outcomes = { ok: 0, failed: 0 };
    for (let i = 0; i < APPLIES; i++) {
      for (const rel of ['lib/a.txt', 'lib/deep/b.txt', 'packages/app/main.js']) fs.writeFileSync(path.join(ws.src, rel), `apply ${i}\n`);
      const applied = await project.sbx(['apply', '--timeout', '60s']);
      outcomes = applied.exitCode === 0 ? { ...outcomes, ok: outcomes.ok + 1 } : { ...outcomes, failed: outcomes.failed + 1 };
      const now = outsideTargets();
      for (const rel of new Set([...Object.keys(before), ...Object.keys(now)])) {
        if (before[rel] !== now[rel] && !(rel.startsWith('src/') && /^(lib\/a\.txt|lib\/deep\/b\.txt|packages\/app\/main\.js)$/.test(rel.slice(4)))) changed.push(`apply ${i}: ${rel}`);
      }
    }
    expect(racer.exitCode, 'the racer ran for the whole loop').toBeNull();
    const stopped = new Promise((resolve) => racer?.once('exit', resolve));
    racer.kill('SIGKILL');
    await stopped;
    // With the racer gone, an apply lays the latest template down: the loop really re-synced.
    for (const rel of ['lib', 'lib/deep', 'packages/app']) {
      const p = path.join(copy, rel);
      if (fs.existsSync(`${p}.racer`) && !fs.existsSync(p)) fs.renameSync(`${p}.racer`, p);
    }
    await project.sbx(['apply', '--timeout', '60s']);
    expect(fs.readFileSync(path.join(ws.root, 'work', 'smart', 'lib', 'a.txt'), 'utf8')).toBe(`apply ${APPLIES - 1}\n`);
    const inEtc = templateFilesInEtc();
    console.log(
      `S27 overlay escape: ${changed.length} paths changed outside the targets, ${inEtc.length} template files in /etc over ${APPLIES} applies against a racer (${outcomes.ok} converged, ${outcomes.failed} refused) (pass: 0, 0)`,
    );
    expect(changed).toEqual([]);
    expect(inEtc).toEqual([]);
    expect(fileHash('/etc/passwd')).toBe(passwd);
  });

  // These targets are refused by the manifest checks (located, before anything runs), not only by the copier.
  it.each([
    ['/'],
    ['..'],
    ['../src/inner'],
  ])('a target of %s is refused end to end and changes nothing', async (target) => {
    project = await SecProject.at(path.join(ws.root, 'project'));
    await project.write('sandbox.yaml', manifest([{ name: 'tpl', target, strategy: 'copy' }]));
    const before = outsideTargets();
    const passwd = fileHash('/etc/passwd');
    const applied = await project.sbx(['apply', '--timeout', '30s']);
    expect(applied.exitCode).toBe(1);
    expect(`${applied.stdout}${applied.stderr}`).toMatch(/sandbox\.yaml:\d+:\d+ error: .*target/);
    const status = JSON.parse((await project.sbxOk(['status', '--json'])).stdout) as { overlays: unknown[]; units: { pid: number | null }[] };
    expect(status.overlays, 'nothing was applied').toEqual([]);
    expect(status.units.every((unit) => unit.pid === null)).toBe(true);
    const after = Object.fromEntries(Object.entries(outsideTargets()).filter(([rel]) => !rel.startsWith('src/inner')));
    expect(after).toEqual(before);
    expect(fileHash('/etc/passwd')).toBe(passwd);
    expect(templateFilesInEtc()).toEqual([]);
    expect(fs.existsSync('/README.md')).toBe(false);
  });
});
