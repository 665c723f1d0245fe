// S1 Grandchildren and ports on `down` (reliability-anchors.md §2.A; systemd TEST-47, supervisord#1101, pm2#6084).
// 100 units each leave a plain child, a setsid'd child and a double-forked daemon (4 processes per unit); `sbx down`.
// Pass: 0 survivors by stop_timeout_ms + 1 s, and `down` returns only once the census is 0. Port variant: a
// double-forked grandchild binds 127.0.0.1:P; 100 stop/start cycles of that unit produce 0 EADDRINUSE.
// Scaled: nothing (100 units, 100 cycles as written). The cycles go through the API client (the CLI would add ~1 s of
// Node start-up per call on this 2-core machine without changing what is measured).

import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, freePort, RelProject } from './harness/rel-project.js';

const UNITS = 100;
const PER_UNIT = 4;
const STOP_TIMEOUT_MS = 2_000;
const CYCLES = 100;

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

describe('S1 grandchildren and ports on down', () => {
  it(`leaves 0 of ${UNITS * PER_UNIT} processes behind and returns only once they are gone`, async () => {
    project = await RelProject.create('s01');
    const units = Array.from({ length: UNITS }, (_, i) => `  u${String(i).padStart(3, '0')}: { cmd: /bin/sh, args: [${fixture('tree.sh')}], stop_timeout_ms: ${STOP_TIMEOUT_MS} }`);
    await project.manifest(['services:', ...units]);
    const applied = await project.sbxOk(['apply', '--timeout', '300s'], { timeoutMs: 320_000 });
    expect(applied.stdout).toContain(`${UNITS} units ready`);
    const total = UNITS * PER_UNIT;
    await eventually(() => project!.censusPids().length === total, { timeoutMs: 30_000, message: `${total} unit processes` });

    // Watch the census while `down` runs: when did it reach 0, and was it 0 when down returned?
    const began = performance.now();
    let zeroAt: number | null = null;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (zeroAt === null && project!.censusPids().length === 0) zeroAt = performance.now() - began;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const down = await project.sbx(['down'], { timeoutMs: 120_000 });
    const downMs = performance.now() - began;
    const atReturn = project.censusPids().length;
    watching = false;
    await watcher;
    figure(
      `S1 grandchildren on down: ${atReturn} survivors of ${total} when down returned after ${Math.round(downMs)} ms; census 0 at ${zeroAt === null ? 'never' : `${Math.round(zeroAt)} ms`} ` +
        `(pass: 0 by stop_timeout+1s = ${STOP_TIMEOUT_MS + 1000} ms, down returns only after 0)`,
    );
    expect(down.exitCode).toBe(0);
    expect(atReturn).toBe(0);
    expect(zeroAt).not.toBeNull();
    expect(zeroAt!).toBeLessThanOrEqual(STOP_TIMEOUT_MS + 1000);
  }, 600_000);

  it(`frees a grandchild's port on every stop: ${CYCLES} stop/start cycles, 0 EADDRINUSE`, async () => {
    project = await RelProject.create('s01p');
    const port = await freePort();
    await project.manifest(
      ['servers:', `  port: { start: "sh ${fixture('port-grandchild.sh')}", port: ${port}, strict_port: true, health_check: { path: /, interval_ms: 50, timeout_ms: 1000, delay_ms: 0 }, stop_timeout_ms: ${STOP_TIMEOUT_MS} }`],
      { LISTENER: fixture('listen.mjs') },
    );
    await project.sbxOk(['apply', '--timeout', '60s']);
    const client = await project.client();
    let failedStarts = 0;
    let slowest = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const began = performance.now();
      await client.stopUnit('port');
      expect(project.censusPids()).toEqual([]);
      const started = await client.startUnit('port');
      if (started.phase !== 'ready') failedStarts++;
      slowest = Math.max(slowest, performance.now() - began);
    }
    const bindErrors = await project.recordLines('bind-errors');
    figure(`S1 port reuse: ${bindErrors.length} EADDRINUSE and ${failedStarts} failed starts in ${CYCLES} stop/start cycles, slowest cycle ${Math.round(slowest)} ms (pass: 0 EADDRINUSE)`);
    expect(bindErrors).toEqual([]);
    expect(failedStarts).toBe(0);
  }, 600_000);
});
