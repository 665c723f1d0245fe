// A long-running `sbx` call (apply --watch, logs -f) whose output is read line by line while it runs.

import { execa, type ResultPromise } from 'execa';
import { eventually } from '../../helpers/eventually.js';
import { cliEnv, SBX_BIN } from './e2e-project.js';

/** stdout and stderr lines as they arrive (interleaved in arrival order). */
export class BackgroundSbx {
  readonly lines: string[] = [];
  readonly #child: ResultPromise;

  constructor(cwd: string, tag: string, args: string[]) {
    this.#child = execa(process.execPath, [SBX_BIN, ...args], { cwd, env: cliEnv(tag), extendEnv: false, reject: false, stdin: 'ignore', buffer: false });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        this.lines.push(...parts);
      });
    }
  }

  /** The index the next line will have: pass it to waitFor to only look at later lines. */
  mark(): number {
    return this.lines.length;
  }

  /** The lines from `from` on, as one text (for assertions and error messages). */
  textFrom(from: number): string {
    return this.lines.slice(from).join('\n');
  }

  /** Resolves with the first line at index >= from that matches. */
  async waitFor(pattern: RegExp, { from = 0, timeoutMs = 20_000 }: { from?: number; timeoutMs?: number } = {}): Promise<string> {
    try {
      return (await eventually(() => this.lines.slice(from).find((line) => pattern.test(line)), { timeoutMs, message: `a line matching ${pattern}` })) ?? '';
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\noutput since the mark:\n${this.textFrom(from)}`);
    }
  }

  /** Interrupts the call (Ctrl-C) and waits for it to end. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null) this.#child.kill('SIGINT');
    const forced = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await this.#child;
    clearTimeout(forced);
  }
}
