// Child processes for daemon tests: the compiled fixtures, line-by-line output, /proc lookups, and cleanup.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The compiled sources (built by the test global setup). */
export const distDir = fileURLToPath(new URL('../../../dist', import.meta.url));

/** Absolute path of a fixture in test/daemon/fixtures. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** argv that runs a fake-engine daemon for `stateDir` in the foreground (what ensureDaemon spawns in tests). */
export const fakeDaemonCommand = (stateDir: string): string[] => [process.execPath, fixture('fake-daemon.mjs'), distDir, '--state-dir', stateDir];

/** A child whose stdout is read line by line. */
export interface LineChild {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (already seen or to come) that matches. */
  line(match: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Spawns argv and collects its stdout lines. */
export const spawnLines = (argv: string[]): LineChild => {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let rest = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))));
  return {
    child,
    lines,
    exited,
    line: (match) => {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`process exited (${code}) before the expected line; got: ${lines.slice(-5).join(' | ')}`)));
      });
    },
  };
};

/** Pids of live processes whose command line contains every one of `parts`. */
export const pidsWithArgs = async (...parts: string[]): Promise<number[]> => {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
    const args = cmdline.split('\0');
    if (parts.every((p) => args.includes(p))) pids.push(Number(name));
  }
  return pids;
};

/** SIGKILLs every fake daemon serving `stateDir` and every child spawned here. */
export const killAll = async (stateDirs: string[] = []): Promise<void> => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of stateDirs) {
    for (const pid of await pidsWithArgs(fixture('fake-daemon.mjs'), dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
};
