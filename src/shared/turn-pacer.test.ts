import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { nextTurn } from './turn-pacer.js';

/** Blocks the thread for ms, like a fork of a large process does. */
const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
};

describe('nextTurn', () => {
  it('runs paced steps in order, one per event-loop turn: I/O that arrived meanwhile is served after at most one step', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    const [peer] = await accepted;
    try {
      const done: number[] = [];
      let servedAfter = -1;
      peer.once('data', () => {
        servedAfter = done.length;
      });
      client.write('status?');
      // Ten launches ready in the same turn, each with a 10 ms synchronous step (a fork).
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          await nextTurn();
          busy(10);
          done.push(i);
        }),
      );
      expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // Unpaced, all ten steps run before the request is even read.
      expect(servedAfter).toBeGreaterThanOrEqual(0);
      expect(servedAfter).toBeLessThanOrEqual(2);
    } finally {
      client.destroy();
      peer.destroy();
      server.close();
    }
  });

  it('a step that throws does not hold up the next one', async () => {
    const first = nextTurn().then(() => {
      throw new Error('spawn failed');
    });
    const second = nextTurn().then(() => 'ran');
    await expect(first).rejects.toThrow('spawn failed');
    await expect(second).resolves.toBe('ran');
  });
});
