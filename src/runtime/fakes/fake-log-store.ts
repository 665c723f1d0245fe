// An in-memory LogStore for engine tests: sinks point at /dev/null, lines live in arrays, drains settle on demand.

import { closeSync, openSync } from 'node:fs';
import { systemClock, type Clock } from '../../shared/clock.js';
import { linesBatch, type LogBatch } from '../line-batch.js';
import type { LogLine, LogQuery, LogSink, LogStore, LogStream, LogView } from '../log-store.js';

const matches = (view: LogView, line: LogLine): boolean => view === 'combined' || line.stream === view;

const lastOf = (lines: LogLine[], query: LogQuery): LogLine[] => {
  const filtered = lines.filter((l) => matches(query.stream, l));
  return query.tail === undefined ? filtered : query.tail === 0 ? [] : filtered.slice(-query.tail);
};

/**
 * `open` hands out real fds of /dev/null (closed by `release`; `openFds` counts the ones still open), `emit`
 * stands in for a unit's output, `note`/`read`/`follow` work on memory. `drained` resolves at once unless
 * `holdDrains` is set, in which case it waits for `finishRun(unit, runId)`.
 */
export class FakeLogStore implements LogStore {
  /** Runs opened, in order. */
  readonly opened: { unit: string; runId: string }[] = [];
  /** Runs reattached, in order. */
  readonly reattached: { unit: string; runId: string }[] = [];
  /** When true, drained() waits for finishRun(). */
  holdDrains = false;
  closed = false;
  #lines = new Map<string, LogLine[]>();
  #followers = new Map<string, Set<{ view: LogView; onBatch: (batch: LogBatch) => void }>>();
  #drains = new Map<string, { done: boolean; waiters: (() => void)[] }>();
  #openFds = new Set<number>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** /dev/null fds handed out and not yet released. */
  get openFds(): number {
    return this.#openFds.size;
  }

  async open(unit: string, runId: string): Promise<LogSink> {
    this.opened.push({ unit, runId });
    this.#drain(unit, runId);
    const stdout = openSync('/dev/null', 'w');
    const stderr = openSync('/dev/null', 'w');
    this.#openFds.add(stdout).add(stderr);
    return {
      stdio: { stdout, stderr },
      release: () => {
        for (const fd of [stdout, stderr]) {
          if (this.#openFds.delete(fd)) closeSync(fd);
        }
      },
    };
  }

  async reattach(unit: string, runId: string): Promise<void> {
    this.reattached.push({ unit, runId });
    this.#drain(unit, runId);
  }

  /** Appends lines as if the unit wrote them (one line per '\n'-separated part). */
  emit(unit: string, stream: LogStream, text: string): void {
    const list = this.#lines.get(unit) ?? [];
    this.#lines.set(unit, list);
    for (const part of text.replace(/\n$/, '').split('\n')) {
      const line: LogLine = { ts: this.clock.now(), stream, text: part };
      list.push(line);
      for (const follower of this.#followers.get(unit) ?? []) if (matches(follower.view, line)) follower.onBatch(linesBatch([line]));
    }
  }

  note(unit: string, stream: LogStream, text: string): void {
    this.emit(unit, stream, text);
  }

  async read(unit: string, query: LogQuery): Promise<LogLine[]> {
    return lastOf(this.#lines.get(unit) ?? [], query);
  }

  follow(unit: string, query: LogQuery, onBatch: (batch: LogBatch) => void): () => void {
    const history = lastOf(this.#lines.get(unit) ?? [], query);
    if (history.length > 0) onBatch(linesBatch(history));
    const follower = { view: query.stream, onBatch };
    const set = this.#followers.get(unit) ?? new Set();
    this.#followers.set(unit, set);
    set.add(follower);
    return () => set.delete(follower);
  }

  drained(unit: string, runId: string): Promise<void> {
    const drain = this.#drains.get(`${unit}\0${runId}`);
    if (!drain || drain.done || !this.holdDrains) return Promise.resolve();
    return new Promise((resolve) => drain.waiters.push(resolve));
  }

  /** Settles drained() for a run (when holdDrains is set). */
  finishRun(unit: string, runId: string): void {
    const drain = this.#drain(unit, runId);
    drain.done = true;
    for (const resolve of drain.waiters.splice(0)) resolve();
  }

  async remove(unit: string): Promise<void> {
    this.#lines.delete(unit);
    this.#followers.delete(unit);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.#followers.clear();
  }

  #drain(unit: string, runId: string): { done: boolean; waiters: (() => void)[] } {
    const key = `${unit}\0${runId}`;
    const drain = this.#drains.get(key) ?? { done: false, waiters: [] };
    this.#drains.set(key, drain);
    return drain;
  }
}
