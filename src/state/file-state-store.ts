// The state store on disk: one JSON file (0600), replaced atomically; a file that does not parse is kept aside.

import { readFile, rename } from 'node:fs/promises';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { parseSavedState } from './saved-state.js';
import type { LoadedState, SavedState, StateStore } from './types.js';

/** Stores the daemon's state in `path` (e.g. `.sbx/state.json`); the folder must exist. */
export class FileStateStore implements StateStore {
  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<LoadedState> {
    await removeStaleTemps(this.path);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null, corrupt: null };
      throw error;
    }
    const parsed = parseSavedState(text);
    if (parsed.ok) return { state: parsed.value, corrupt: null };
    const movedTo = (await this.keepAside('corrupt')) ?? this.path;
    return { state: null, corrupt: { movedTo, error: parsed.error } };
  }

  async keepAside(label: string): Promise<string | null> {
    const movedTo = `${this.path}.${label}-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.path, movedTo);
      return movedTo;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(state: SavedState): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(state)}\n`, 0o600);
  }
}
