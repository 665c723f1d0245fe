// Must show (issue 4): a chain a → b → c with health checks starts in order, each only once its needs are healthy;
// `sbx down` stops c, then b, then a. The fixtures append what happens to them to one file, in the order it happens.

import { afterEach, describe, expect, it } from 'vitest';
import { E2eProject, UNIT_FIXTURE, type RecordedEvent } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
afterEach(async () => {
  await project?.teardown();
  project = null;
});

/** Each server answers /health with 503 for its first 400 ms: "running" comes well before "healthy". */
const manifest = (recordDir: string): string => {
  const server = (name: string, needs: string[]): string => `  ${name}:
    start: exec '${process.execPath}' '${UNIT_FIXTURE}'
    environment: { UNIT_NAME: ${name} }
    health_check: { path: /health, interval_ms: 100, timeout_ms: 500, delay_ms: 0 }
    needs: [${needs.join(', ')}]
`;
  return `version: 1
name: chain
environment:
  RECORD_DIR: ${recordDir}
  HEALTH_DELAY_MS: "400"
servers:
${server('c', ['b'])}${server('b', ['a'])}${server('a', [])}`;
};

const indexOf = (events: RecordedEvent[], unit: string, event: string): number => {
  const index = events.findIndex((e) => e.unit === unit && e.event === event);
  if (index < 0) throw new Error(`no "${unit} ${event}" in ${JSON.stringify(events)}`);
  return index;
};

describe('a dependency chain a → b → c', () => {
  it('starts each unit only after its need answered healthy, and `down` stops c, b, a', async () => {
    project = await E2eProject.create('sbx-e2e-chain-');
    await project.write('sandbox.yaml', manifest(project.recordDir));

    const applied = await project.sbx(['apply']);
    expect(applied.stdout).toMatch(/3 units ready/);
    expect(applied.exitCode).toBe(0);

    const up = await project.events();
    const order = ['a start', 'a healthy', 'b start', 'b healthy', 'c start', 'c healthy'];
    for (let i = 1; i < order.length; i++) {
      const [unit, event] = order[i]!.split(' ') as [string, string];
      const [prevUnit, prevEvent] = order[i - 1]!.split(' ') as [string, string];
      expect(indexOf(up, unit, event), `${order[i - 1]} before ${order[i]}`).toBeGreaterThan(indexOf(up, prevUnit, prevEvent));
    }
    const at = (unit: string, event: string): number => up[indexOf(up, unit, event)]!.at;
    expect(at('b', 'start')).toBeGreaterThan(at('a', 'healthy'));
    expect(at('c', 'start')).toBeGreaterThan(at('b', 'healthy'));

    // sbx's own view agrees: every unit ready, each started after its need became ready.
    const units = await project.units();
    for (const name of ['a', 'b', 'c']) expect(units[name]).toMatchObject({ phase: 'ready', healthy: true });
    expect(units.b!.started_at!).toBeGreaterThanOrEqual(units.a!.ready_at!);
    expect(units.c!.started_at!).toBeGreaterThanOrEqual(units.b!.ready_at!);
    for (const name of ['a', 'b', 'c']) expect(await project.starts(name)).toHaveLength(1);

    const down = await project.sbx(['down']);
    expect(down.exitCode).toBe(0);
    expect(await project.census()).toEqual([]);
    const stops = (await project.events()).slice(up.length).map((e) => `${e.unit} ${e.event}`);
    expect(stops).toEqual(['c term', 'c exit', 'b term', 'b exit', 'a term', 'a exit']);
  });
});
