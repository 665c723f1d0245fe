// Builds hostile source trees for the overlay tests, and snapshots directories to prove nothing changed outside.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OverlaySpec } from '../../src/manifest/types.js';

/** A temp workspace: `src` (the template), `outside` (must never change), `work/dst` (the target, not created). */
export interface Workspace {
  root: string;
  src: string;
  outside: string;
  target: string;
  /** A root-only file outside the tree that the source hardlinks to. */
  secret: string;
}

/** Creates an empty workspace. */
export const makeWorkspace = (): Workspace => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-overlay-')));
  const ws = { root, src: path.join(root, 'src'), outside: path.join(root, 'outside'), target: path.join(root, 'work', 'dst'), secret: path.join(root, 'secret') };
  fs.mkdirSync(ws.src);
  fs.mkdirSync(ws.outside);
  fs.writeFileSync(path.join(ws.outside, 'victim.txt'), 'do not touch\n');
  fs.writeFileSync(ws.secret, 'root only\n', { mode: 0o600 });
  return ws;
};

/** Removes a workspace. */
export const removeWorkspace = (ws: Workspace | undefined): void => {
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
};

const write = (file: string, body: string, mode = 0o644): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  fs.chmodSync(file, mode);
};

/**
 * Fills `ws.src` with the adversarial corpus: node_modules (nested, also one level down), .venv, ignored logs and
 * dist, .git, in-tree links, links out (absolute, climbing, via a chained link), a FIFO, a socket, a char device, setuid
 * and setgid files, a hardlink to a root-only file.
 */
export const fillSource = (ws: Workspace): void => {
  const s = (rel: string) => path.join(ws.src, rel);
  write(s('README.md'), '# template\n');
  write(s('bin/run.sh'), '#!/bin/sh\necho hi\n', 0o755);
  write(s('suid'), 'setuid binary\n', 0o4755);
  write(s('sgid'), 'setgid binary\n', 0o2750);
  write(s('lib/a.txt'), 'alpha\n');
  write(s('lib/deep/b.txt'), 'beta\n');
  write(s('node_modules/pkg/index.js'), 'module.exports = 1;\n');
  write(s('node_modules/pkg/nested/deep.js'), 'module.exports = 2;\n');
  write(s('node_modules/.package-lock.json'), '{}\n');
  write(s('packages/app/node_modules/x/i.js'), 'x\n');
  write(s('packages/app/main.js'), 'main\n');
  write(s('.venv/bin/python'), 'py\n', 0o755);
  write(s('logs/app.log'), 'log line\n');
  write(s('debug.log'), 'log line\n');
  write(s('dist/bundle.js'), 'bundle\n');
  write(s('.git/HEAD'), 'ref: refs/heads/main\n');
  fs.mkdirSync(s('sticky'), { mode: 0o1777 });
  fs.chmodSync(s('sticky'), 0o1777);
  fs.symlinkSync('lib/a.txt', s('link-in'));
  fs.symlinkSync('../README.md', s('lib/up'));
  fs.symlinkSync('..', s('lib/x'));
  fs.symlinkSync('x/..', s('lib/y')); // lexically lib/, really the source's parent
  fs.symlinkSync('/etc', s('link-abs-etc'));
  fs.symlinkSync(path.join(ws.src, 'README.md'), s('link-abs-inside'));
  fs.symlinkSync('../outside', s('sneaky'));
  fs.symlinkSync('../../../../../../../../etc/passwd', s('lib/deep/climb'));
  execFileSync('mkfifo', [s('fifo')]);
  execFileSync('mknod', [s('devnull'), 'c', '1', '3']);
  execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', s('lib/sock')]);
  fs.linkSync(ws.secret, s('hardlink-secret'));
};

/** Entries refused by fillSource's corpus (relative paths). */
export const REFUSED = ['devnull', 'fifo', 'lib/deep/climb', 'lib/sock', 'lib/y', 'link-abs-etc', 'link-abs-inside', 'sneaky'];

/** An overlay spec for a workspace. */
export const specFor = (ws: Workspace, over: Partial<OverlaySpec> = {}): OverlaySpec => ({
  name: 'tpl',
  source: ws.src,
  target: ws.target,
  strategy: 'copy',
  ignore: ['*.log', '/dist'],
  immutable: [],
  needs: [],
  ...over,
});

/** path -> type, mode, size, content hash or link text; never follows links. */
export const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = fs.lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out[rel] = `d ${mode} ${st.mtimeMs}`;
        walk(full, rel);
      } else if (st.isSymbolicLink()) out[rel] = `l ${fs.readlinkSync(full)}`;
      else if (st.isFile()) out[rel] = `f ${mode} ${st.mtimeMs} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
      else out[rel] = `o ${mode}`;
    }
  };
  walk(dir, '');
  return out;
};

/** Everything in the workspace except the target's side (`work/`): the source, `outside`, the secret. */
export const snapshotOutsideTarget = (ws: Workspace): Record<string, string> =>
  Object.fromEntries(Object.entries(snapshot(ws.root)).filter(([rel]) => rel !== 'work' && !rel.startsWith('work/')));

/** sha256 of a file (for /etc/passwd before/after). */
export const fileHash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
