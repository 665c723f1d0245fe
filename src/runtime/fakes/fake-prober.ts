// An in-memory Prober for unit tests: answers from a script, or holds probes open until the test settles them.

import type { ProbeResult, ProbeTarget, Prober } from '../prober.js';

/** One probe the fake received. */
export interface FakeProbeCall {
  target: ProbeTarget;
  timeoutMs: number;
  /** True once the probe settled (answered, or aborted by its caller). */
  settled: boolean;
  aborted: boolean;
}

type Answer = ProbeResult | ((target: ProbeTarget) => ProbeResult);

/**
 * Two modes. Answering (default): each probe resolves on the next microtask with the next queued answer (`queue`),
 * else the standing answer (`answerWith`, initially ok). Holding (`hold = true`): probes stay pending until the test
 * calls `settleNext(result)`. An aborted probe resolves `{ ok: false, error: 'aborted' }` at once in either mode.
 * `inFlight` / `maxInFlight` let a test assert the at-most-one-probe rule.
 */
export class FakeProber implements Prober {
  /** Every probe received, oldest first. */
  readonly calls: FakeProbeCall[] = [];
  /** When true, probes wait for settleNext(). */
  hold = false;
  #standing: Answer = { ok: true, durationMs: 1 };
  #queue: Answer[] = [];
  #pending: { call: FakeProbeCall; resolve: (result: ProbeResult) => void }[] = [];
  #inFlight = 0;
  #maxInFlight = 0;

  /** Sets the answer used when the queue is empty. */
  answerWith(answer: Answer): this {
    this.#standing = answer;
    return this;
  }

  /** Queues answers for the next probes, in order. */
  queue(...answers: Answer[]): this {
    this.#queue.push(...answers);
    return this;
  }

  /** Shorthand results. */
  static ok(durationMs = 1): ProbeResult {
    return { ok: true, durationMs };
  }
  static fail(error = 'connection refused', durationMs = 1): ProbeResult {
    return { ok: false, error, durationMs };
  }

  probe(target: ProbeTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    const call: FakeProbeCall = { target, timeoutMs, settled: false, aborted: false };
    this.calls.push(call);
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    return new Promise<ProbeResult>((resolve) => {
      const finish = (result: ProbeResult): void => {
        if (call.settled) return;
        call.settled = true;
        this.#inFlight -= 1;
        this.#pending = this.#pending.filter((p) => p.call !== call);
        resolve(result);
      };
      const abort = (): void => {
        call.aborted = true;
        finish({ ok: false, error: 'aborted', durationMs: 0 });
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      if (this.hold) {
        this.#pending.push({ call, resolve: finish });
        return;
      }
      const answer = this.#queue.shift() ?? this.#standing;
      queueMicrotask(() => finish(typeof answer === 'function' ? answer(target) : answer));
    });
  }

  /** Settles the oldest held probe with `result`; throws when none is held. */
  settleNext(result: ProbeResult = FakeProber.ok()): void {
    const next = this.#pending[0];
    if (!next) throw new Error('FakeProber.settleNext: no probe is waiting');
    next.resolve(result);
  }

  /** Probes started and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most probes ever in flight at once. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }
}
