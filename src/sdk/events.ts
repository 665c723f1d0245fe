// `sandbox.events()`: the engine's events (phases, exits, health, actions, convergence) as an async iterable that
// subscribes at once, so nothing that happens after the call is missed.

import type { ApiClient, NdjsonStream } from '../daemon/api-client.js';
import { call, toSbxError } from './errors.js';
import type { EngineEvent } from './types.js';

/** A live subscription: iterate it with for-await; `close()` (or leaving the loop) ends it. */
export class EventStream implements AsyncIterable<EngineEvent> {
  readonly #stream: Promise<NdjsonStream<EngineEvent>>;
  readonly #onClose: (stream: EventStream) => void;
  #closed = false;

  /** @internal Built by `sandbox.events()`. */
  constructor(client: ApiClient, onClose: (stream: EventStream) => void) {
    this.#stream = call(() => client.events());
    this.#onClose = onClose;
    // A failed subscription surfaces through `ready` or the iteration, never as an unhandled rejection.
    this.#stream.catch(() => undefined);
  }

  /** Resolves once the daemon has subscribed this stream (events from then on are delivered); rejects with SbxError. */
  get ready(): Promise<void> {
    return this.#stream.then(() => undefined);
  }

  /** Yields each event as it happens; ends on close() or when the daemon goes away (rejecting with SbxError then). */
  async *[Symbol.asyncIterator](): AsyncIterator<EngineEvent> {
    const stream = await this.#stream;
    try {
      if (this.#closed) return;
      for await (const event of stream) yield event;
    } catch (error) {
      throw toSbxError(error);
    } finally {
      this.close();
    }
  }

  /** Ends the subscription; a loop over it finishes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this);
    void this.#stream.then((s) => s.close(), () => undefined);
  }
}
