// Shared set-up for the log store tests: temp dirs, units spawned on a store's FIFOs, and cleanup.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine, LogStore } from '../../src/runtime/log-store.js';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** Tracks what a test created, so afterEach can undo it. */
export class LogTestBed {
  readonly dirs: string[] = [];
  readonly children: ChildProcess[] = [];
  readonly stores: LogStore[] = [];
  /** Run after processes and stores are gone, before temp dirs are removed (e.g. unmount). */
  readonly teardowns: (() => void)[] = [];

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-logs-'));
    this.dirs.push(dir);
    return dir;
  }

  track<T extends LogStore>(store: T): T {
    this.stores.push(store);
    return store;
  }

  /** Opens a run, starts argv on its FIFOs (stdin a pipe the test may write), and releases the daemon's copies. */
  async start(store: LogStore, unit: string, runId: string, argv: string[]): Promise<ChildProcess & { exited: Promise<number | null> }> {
    const sink = await store.open(unit, runId);
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', sink.stdio.stdout, sink.stdio.stderr] });
    sink.release();
    this.children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return Object.assign(child, { exited });
  }

  async cleanup(): Promise<void> {
    for (const child of this.children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const store of this.stores.splice(0)) await store.close();
    for (const teardown of this.teardowns.splice(0)) teardown();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Texts of lines, a fragment shown with a trailing ↩. */
export const texts = (lines: LogLine[]): string[] => lines.map((l) => (l.partial ? `${l.text}↩` : l.text));

/** Rejoins fragments: each partial line is glued to the next line of the same stream. */
export const joinFragments = (lines: LogLine[]): LogLine[] => {
  const out: LogLine[] = [];
  const open = new Map<string, LogLine>();
  for (const line of lines) {
    const head = open.get(line.stream);
    const whole = head ? { ...head, text: head.text + line.text, partial: line.partial } : { ...line };
    if (whole.partial) open.set(line.stream, whole);
    else {
      open.delete(line.stream);
      delete whole.partial;
      out.push(whole);
    }
  }
  return out;
};
