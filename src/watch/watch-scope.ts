// Which paths a watch covers: exact files (through their parent folders, so atomic saves are seen) and whole folders.

import path from 'node:path';

/** Folder names never watched inside a watched folder: sbx's own state and installed dependencies. */
export const DEFAULT_IGNORED_NAMES: readonly string[] = ['.sbx', 'node_modules'];

/** The resolved set of watched paths; pure, so the rules are testable without a file system. */
export interface WatchScope {
  /** Folders to hand to the file-system watcher (parents of files, and the watched folders). */
  roots: string[];
  /** A string that is equal for two scopes that watch the same paths. */
  key: string;
  /** Folders on the way to a watched path: admitted so a missing folder is seen when it appears. */
  ancestors: ReadonlySet<string>;
  /** False for paths the watcher should not even look at (siblings of watched files, ignored folders). */
  admits(candidate: string): boolean;
  /** True when an event on this path is a change the caller cares about. */
  isRelevant(candidate: string): boolean;
}

/** Options for {@link buildWatchScope}; relative paths resolve against `cwd`. */
export interface WatchScopeInput {
  files: readonly string[];
  dirs?: readonly string[];
  ignoredNames?: readonly string[];
  cwd?: string;
}

const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

const isInside = (candidate: string, dir: string): boolean => {
  const relative = path.relative(dir, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** Builds the scope: files are watched through their parent folder (depth 0), folders recursively minus ignored names. */
export const buildWatchScope = ({ files, dirs = [], ignoredNames = DEFAULT_IGNORED_NAMES, cwd = process.cwd() }: WatchScopeInput): WatchScope => {
  const absoluteFiles = uniqueSorted(files.map((file) => path.resolve(cwd, file)));
  const absoluteDirs = uniqueSorted(dirs.map((dir) => path.resolve(cwd, dir)));
  const parentDirs = uniqueSorted(absoluteFiles.map((file) => path.dirname(file)));
  const fileSet = new Set(absoluteFiles);
  const ignored = new Set(ignoredNames);
  const ancestors = new Set<string>();
  for (const start of [...parentDirs, ...absoluteDirs]) {
    for (let dir = start; !ancestors.has(dir); dir = path.dirname(dir)) ancestors.add(dir);
  }

  const insideWatchedDir = (candidate: string): boolean =>
    absoluteDirs.some((dir) => isInside(candidate, dir) && !path.relative(dir, candidate).split(path.sep).some((part) => ignored.has(part)));

  return {
    roots: uniqueSorted([...parentDirs, ...absoluteDirs]),
    key: JSON.stringify({ files: absoluteFiles, dirs: absoluteDirs, ignored: [...ignored].sort() }),
    ancestors,
    admits: (candidate) => {
      const absolute = path.resolve(cwd, candidate);
      return fileSet.has(absolute) || ancestors.has(absolute) || insideWatchedDir(absolute);
    },
    isRelevant: (candidate) => {
      const absolute = path.resolve(cwd, candidate);
      return fileSet.has(absolute) || insideWatchedDir(absolute);
    },
  };
};
