// The state store on disk: one JSON file (0600), replaced atomically; a file that does not parse is kept aside.
// Environment values that must not be on disk are withheld from it (src/state/withhold-env.ts); the only ones kept are
// secret-looking values given inline in API bodies, in a separate 0600 file beside it, by digest.

import { readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { faultPoint } from '../shared/fault.js';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { parseSavedState } from './saved-state.js';
import type { LoadedState, SavedState, StateStore } from './types.js';
import { withholdSavedState, type KeptValues } from './withhold-env.js';

/** The file beside the state file that holds secret values only an API body gave (by digest). */
export const API_SECRETS_FILE = 'api-secrets.json';

/** Stores the daemon's state in `path` (e.g. `.sbx/state.json`); the folder must exist. */
export class FileStateStore implements StateStore {
  readonly secretsPath: string;
  /** Digests in the secrets file as last written: kept one more write, so the state file on disk always finds its values. */
  #lastKept: KeptValues | null = null;
  /** The secrets file's content as last written (null: no file; undefined: not known yet). */
  #secretsText: string | null | undefined = undefined;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.secretsPath = join(dirname(path), API_SECRETS_FILE);
  }

  async load(): Promise<LoadedState> {
    await removeStaleTemps(this.path);
    await removeStaleTemps(this.secretsPath);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: null, corrupt: null };
      throw error;
    }
    const parsed = parseSavedState(text);
    if (parsed.ok) {
      const kept = await this.#readKept();
      return { state: parsed.value, corrupt: null, ...(Object.keys(kept).length > 0 ? { kept } : {}) };
    }
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
    const { state: safe, kept } = withholdSavedState(state);
    const previous = this.#lastKept ?? (await this.#readKept());
    const both = { ...previous, ...kept };
    const text = Object.keys(both).length > 0 ? `${JSON.stringify(both)}\n` : null;
    if (text !== this.#secretsText) {
      if (text !== null) await writeFileAtomic(this.secretsPath, text, 0o600);
      else await unlink(this.secretsPath).catch(() => undefined);
      this.#secretsText = text;
    }
    await writeFileAtomic(this.path, `${JSON.stringify(safe)}\n`, 0o600);
    faultPoint('after-state-write');
    this.#lastKept = kept;
  }

  /** The secrets file's values; an unreadable or malformed one counts as empty (those units wait for their next PUT). */
  async #readKept(): Promise<KeptValues> {
    try {
      const data: unknown = JSON.parse(await readFile(this.secretsPath, 'utf8'));
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
      return Object.fromEntries(Object.entries(data).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    } catch {
      return {};
    }
  }
}
