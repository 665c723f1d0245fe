// An in-memory state store for tests: same contract as the file store, with the writes kept for assertions.

import { parseSavedState } from './saved-state.js';
import type { LoadedState, SavedState, StateStore } from './types.js';

/** Keeps the state as serialised text, so a test sees exactly what a file would hold. */
export class MemoryStateStore implements StateStore {
  /** Every state written, oldest first. */
  readonly writes: SavedState[] = [];
  #text: string | null;

  constructor(initial: SavedState | string | null = null) {
    this.#text = initial === null ? null : typeof initial === 'string' ? initial : JSON.stringify(initial);
  }

  async load(): Promise<LoadedState> {
    if (this.#text === null) return { state: null, corrupt: null };
    const parsed = parseSavedState(this.#text);
    if (parsed.ok) return { state: parsed.value, corrupt: null };
    return { state: null, corrupt: { movedTo: (await this.keepAside('corrupt')) ?? 'memory', error: parsed.error } };
  }

  /** Texts moved aside, by label. */
  readonly aside: Record<string, string> = {};

  async keepAside(label: string): Promise<string | null> {
    if (this.#text === null) return null;
    this.aside[label] = this.#text;
    this.#text = null;
    return `memory:${label}`;
  }

  async write(state: SavedState): Promise<void> {
    this.#text = JSON.stringify(state);
    this.writes.push(JSON.parse(this.#text) as SavedState);
  }

  /** The last state written (or loaded), or null. */
  get current(): SavedState | null {
    return this.#text === null ? null : (JSON.parse(this.#text) as SavedState);
  }
}
