// Watches a manifest, its env files and overlay sources, and reports each save once (editors' atomic saves included).
//
// Files are watched through their parent folder, never by inode: editors replace files (write temp + rename, vim's
// backup-rename, delete + recreate), and an inode watch silently dies with the old file. Events are batched by a
// debouncer so one save gives one callback naming every changed path once.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { systemClock, type Clock } from '../shared/clock.js';
import { createChangeBatcher } from './change-batcher.js';
import { buildWatchScope, DEFAULT_IGNORED_NAMES, type WatchScope } from './watch-scope.js';

/** Options for {@link watchFiles}. */
export interface WatchFilesOptions {
  /** Exact files: the manifest and every env file it reads (they may not exist yet). */
  files: readonly string[];
  /** Folders watched recursively (overlay sources), minus `ignoredNames`. */
  dirs?: readonly string[];
  /** Quiet time before a batch is reported (default 150 ms). */
  debounceMs?: number;
  /** Folder names skipped inside watched folders (default `.sbx`, `node_modules`). */
  ignoredNames?: readonly string[];
  /** Called once per batch with the absolute, de-duplicated, sorted changed paths. */
  onChange: (changed: string[]) => void;
  /** Called when the file system refuses a watch (permissions, too many watches). */
  onError?: (error: Error) => void;
  /** Timer source for the debounce (tests may inject one). */
  clock?: Clock;
}

/** A running watch; the watched set can change after each successful load. */
export interface FileWatcher {
  /** Resolves once the initial scan is done: changes after this are reported. */
  ready: Promise<void>;
  /** Replaces the watched files and folders; resolves once the new set is watched. */
  update(files: readonly string[], dirs?: readonly string[]): Promise<void>;
  /** Stops watching; no callback fires after this resolves (nor after it is called). */
  close(): Promise<void>;
}

/** The folder itself, or its nearest existing ancestor (an optional env file's folder may appear later). */
const nearestExistingDir = async (dir: string): Promise<string> => {
  for (let current = dir; ; current = path.dirname(current)) {
    const found = await stat(current).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (found || path.dirname(current) === current) return current;
  }
};

/** Starts one chokidar watcher over a scope and resolves with it once its initial scan is done. */
const startWatcher = async (scope: WatchScope, onPath: (changedPath: string) => void, onError: (error: Error) => void): Promise<FSWatcher> => {
  const roots = [...new Set(await Promise.all(scope.roots.map(nearestExistingDir)))];
  return new Promise((resolve) => {
    const watcher = watch(roots, {
      ignoreInitial: true,
      atomic: true,
      persistent: true,
      ignored: (candidate: string) => !scope.admits(candidate),
    });
    watcher.on('all', (_event, changedPath) => {
      if (scope.isRelevant(changedPath)) onPath(changedPath);
    });
    watcher.on('error', (error) => onError(error instanceof Error ? error : new Error(String(error))));
    watcher.once('ready', () => resolve(watcher));
  });
};

/** Watches files and folders and calls onChange once per debounced batch of changes. */
export const watchFiles = ({
  files,
  dirs = [],
  debounceMs = 150,
  ignoredNames = DEFAULT_IGNORED_NAMES,
  onChange,
  onError = () => {},
  clock = systemClock,
}: WatchFilesOptions): FileWatcher => {
  let closed = false;
  const batcher = createChangeBatcher({
    debounceMs,
    clock,
    onFlush: (changed) => {
      if (!closed) onChange(changed);
    },
  });
  const onPath = (changedPath: string): void => {
    if (!closed) batcher.add(changedPath);
  };

  let scope = buildWatchScope({ files, dirs, ignoredNames });
  const first = startWatcher(scope, onPath, onError);
  let current: Promise<FSWatcher> = first;
  // Updates run one at a time; the new watcher is ready before the old one closes, so no save falls in a gap.
  let queue: Promise<void> = first.then(() => undefined);

  return {
    ready: queue,
    update(nextFiles, nextDirs = []) {
      queue = queue.then(async () => {
        const next = buildWatchScope({ files: nextFiles, dirs: nextDirs, ignoredNames });
        if (closed || next.key === scope.key) return;
        const previous = await current;
        const replacement = await startWatcher(next, onPath, onError);
        scope = next;
        current = Promise.resolve(replacement);
        await previous.close();
        if (closed) await replacement.close();
      });
      return queue;
    },
    async close() {
      closed = true;
      batcher.cancel();
      await queue.catch(() => undefined);
      await (await current).close();
    },
  };
};
