// S26 through podman: shell metacharacters, option-looking strings, newlines and 64 KiB strings in args, env, image,
// user and working_dir never run anything, and the argv inside the container equals the manifest's byte for byte.

import { existsSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContainerError } from '../../src/runtime/container/container-error.js';
import { ContainerHarness, containerSpec, manifestVar } from './container-harness.js';

const h = new ContainerHarness();
const mark = `pwned-${randomUUID().slice(0, 8)}`;
/** Every corpus entry that would create a file if any shell ever interpreted it. */
const corpus = [
  `$(touch /tmp/${mark}-1)`,
  `\`touch /tmp/${mark}-2\``,
  `; touch /tmp/${mark}-3`,
  `&& touch /tmp/${mark}-4`,
  `| touch /tmp/${mark}-5`,
  `x\ntouch /tmp/${mark}-6`,
  '--privileged',
  '-v',
  '/:/host',
  '../',
  '',
  'é ünïcödé',
  'z'.repeat(64 * 1024),
];

/** Files the corpus would have created, on the host. */
const pwnedOnHost = (): string[] => readdirSync('/tmp').filter((name) => name.startsWith(mark));

beforeAll(() => h.setup());
afterEach(async () => {
  expect(pwnedOnHost()).toEqual([]);
  expect(await h.leftovers()).toEqual({ containers: [], pids: [] });
});
afterAll(() => h.dispose());

describe('injection corpus through podman', () => {
  it('hands the manifest argv to the container process byte for byte and runs none of it', async () => {
    // The shell's own /proc/$$/cmdline is exactly the argv the runtime exec'd in the container.
    const script = `cat /proc/$$/cmdline; ls /tmp >&2`;
    const argv = ['sh', '-c', script, 'argv0', ...corpus];
    const unit = await h.start(containerSpec('argv', argv));
    expect(await unit.process.exited).toMatchObject({ code: 0 });
    const expected = Buffer.from(argv.map((arg) => `${arg}\0`).join(''), 'utf8');
    const actual = Buffer.from(h.read(unit.stdout), 'utf8');
    expect(actual.equals(expected)).toBe(true);
    expect(h.read(unit.stderr)).not.toContain(mark);
  });

  it('passes env values verbatim (metacharacters, newlines, 64 KiB) and runs none of them', async () => {
    const env: Record<string, ReturnType<typeof manifestVar>> = {};
    corpus.forEach((value, i) => (env[`EVIL_${i}`] = manifestVar(value)));
    // Each value printed NUL-terminated, in corpus order.
    const script = corpus.map((_, i) => `printf '%s\\0' "$EVIL_${i}"`).join('; ') + '; ls /tmp >&2';
    const unit = await h.start(containerSpec('envs', ['sh', '-c', script], { env }));
    expect(await unit.process.exited).toMatchObject({ code: 0 });
    expect(h.read(unit.stdout)).toBe(corpus.map((value) => `${value}\0`).join(''));
    expect(h.read(unit.stderr)).not.toContain(mark);
  });

  it('refuses images, users, working directories and names that could be read as options or shell, before anything runs', () => {
    const bad = [
      { image: `$(touch /tmp/${mark}-i)` },
      { image: '--privileged' },
      { image: '-v' },
      { image: 'busybox;touch' },
      { image: 'busybox latest' },
      { image: '' },
      { user: `$(touch /tmp/${mark}-u)` },
      { user: '--privileged' },
      { user: 'nobody;id' },
      { cwd: '../etc' },
      { cwd: 'relative/dir' },
      { args: ['a\0b'], argv: ['sh', 'a\0b'] },
    ];
    for (const extra of bad) {
      const spec = containerSpec('refused', ['true'], extra);
      let caught: unknown;
      try {
        h.driver.launch(spec, h.runId(), {});
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(extra)).toBeInstanceOf(ContainerError);
      expect(caught).toMatchObject({ code: 'bad-spec' });
    }
    expect(() => h.driver.launch(containerSpec('$(id)', ['true']), h.runId(), {})).toThrow(ContainerError);
    expect(() => h.driver.launch(containerSpec('ok', ['true']), '--privileged', {})).toThrow(ContainerError);
  });

  it('fails a run whose working directory holds shell text without running it', async () => {
    const unit = await h.start(containerSpec('wd', ['true'], { cwd: `/data/$(touch /tmp/${mark}-w)` }));
    expect((await unit.process.exited).code).not.toBe(0);
    expect(existsSync(`/tmp/${mark}-w`)).toBe(false);
  });
});
