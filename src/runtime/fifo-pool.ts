// FIFOs made ahead, many per mkfifo(1) call, and renamed into place per run: one fork per BATCH runs, not one per run.
//
// Node cannot make a FIFO itself, so every run used to cost two forks of the daemon (mkfifo, then the unit). A fork
// copies the daemon's page tables (~150 MiB resident: 1-2 ms of CPU, more on a loaded machine) and makes its heap
// pages fault once more afterwards; in a restart storm of 100 units that was a quarter of the daemon's CPU (reliability
// S14). The pool's FIFOs live in one folder beside the units' folders (same filesystem, so rename(2) moves them); a
// FIFO is only ever opened after it was renamed to its run's name, so a FIFO in the pool has no reader or writer, and
// the folder is emptied by a store's first batch and when it closes. If a rename fails (someone removed the folder),
// that run's FIFOs are made directly.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { nextTurn } from '../shared/turn-pacer.js';
import { makeFifos, type RunFifos } from './fifo-capture.js';

const execFileAsync = promisify(execFile);

/** FIFO pairs made per mkfifo call. */
export const FIFO_POOL_BATCH = 16;

/** Ready-made FIFO pairs for one log store. */
export class FifoPool {
  /** Path stems of ready pairs (`<stem>.stdout`, `<stem>.stderr`). */
  #ready: string[] = [];
  #refill: Promise<void> | null = null;
  #batches = 0;
  #attempts = 0;
  readonly #prefix = randomBytes(4).toString('hex');

  constructor(
    readonly dir: string,
    readonly batch = FIFO_POOL_BATCH,
  ) {}

  /** How many mkfifo calls the pool made (for tests). */
  get batches(): number {
    return this.#batches;
  }

  /** Creates both of a run's FIFOs (mode 0600) at their paths (and their folder). */
  async make(fifos: RunFifos): Promise<void> {
    mkdirSync(dirname(fifos.stdout), { recursive: true, mode: 0o700 });
    for (;;) {
      const stem = this.#ready.pop();
      if (stem === undefined) {
        this.#refill ??= this.#makeBatch().finally(() => (this.#refill = null));
        await this.#refill;
        continue;
      }
      try {
        renameSync(`${stem}.stdout`, fifos.stdout);
        renameSync(`${stem}.stderr`, fifos.stderr);
        return;
      } catch {
        // The pool folder was removed or emptied under us: forget it and make this run's FIFOs directly.
        this.#ready = [];
        rmSync(fifos.stdout, { force: true });
        break;
      }
    }
    await makeFifos(fifos);
  }

  /** Removes the pool folder with every FIFO still in it (the first batch of a store starts from an empty folder). */
  clear(): void {
    this.#ready = [];
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #makeBatch(): Promise<void> {
    const attempt = this.#attempts++;
    // A daemon killed with SIGKILL leaves its unused FIFOs behind: the next store's first batch removes them.
    if (attempt === 0) this.clear();
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const stems = Array.from({ length: this.batch }, (_, i) => join(this.dir, `${this.#prefix}-${attempt}-${i}`));
    // execFile forks the daemon synchronously: one fork per event-loop turn (turn-pacer.ts).
    await nextTurn();
    await execFileAsync('mkfifo', ['-m', '600', '--', ...stems.flatMap((stem) => [`${stem}.stdout`, `${stem}.stderr`])]);
    this.#batches += 1;
    this.#ready.push(...stems);
  }
}
