import { describe, expect, it } from 'vitest';
import type { EngineEvent, Plan } from '../engine/types.js';
import {
  createProgress,
  foldProgress,
  redrawFrame,
  renderApplySummary,
  renderProgressFrame,
  renderProgressLines,
  summarizeProgress,
} from './render-progress.js';
import { stripAnsi } from './style.js';
import type { ProgressState } from './progress-state.js';

const T0 = 1_000_000;
const plan = (partial: Partial<Plan>): Plan => ({ actions: [], holds: [], recheckAt: null, ...partial });

/** A typical apply: db and the overlay first, api waits for db, api crashes once and comes back, old is pruned. */
const story: EngineEvent[] = [
  {
    type: 'plan',
    at: T0,
    plan: plan({
      actions: [
        { type: 'start', unit: 'db', reason: 'new' },
        { type: 'sync-overlay', overlay: 'tpl', reason: 'new' },
        { type: 'delete', unit: 'old', reason: 'not in manifest (prune)' },
      ],
      holds: [{ unit: 'api', reason: 'waiting-for-needs', on: ['db'], message: 'waiting for db' }],
    }),
  },
  { type: 'overlay', at: T0 + 10, overlay: 'tpl', status: 'in_progress' },
  { type: 'unit-phase', at: T0 + 20, unit: 'db', phase: 'starting' },
  { type: 'overlay', at: T0 + 30, overlay: 'tpl', status: 'complete' },
  { type: 'unit-removed', at: T0 + 40, unit: 'old', reason: 'not in manifest (prune)' },
  { type: 'unit-phase', at: T0 + 420, unit: 'db', phase: 'ready' },
  { type: 'plan', at: T0 + 421, plan: plan({ actions: [{ type: 'start', unit: 'api', reason: 'new' }] }) },
  { type: 'unit-phase', at: T0 + 430, unit: 'api', phase: 'starting' },
  { type: 'unit-exited', at: T0 + 500, unit: 'api', code: 1, signal: null },
  { type: 'unit-phase', at: T0 + 500, unit: 'api', phase: 'backoff', reason: 'restarting in 1 s (exited with code 1)' },
  { type: 'unit-phase', at: T0 + 1500, unit: 'api', phase: 'starting' },
  { type: 'unit-phase', at: T0 + 1600, unit: 'api', phase: 'running' },
  { type: 'unit-phase', at: T0 + 2700, unit: 'api', phase: 'ready' },
  { type: 'converged', at: T0 + 2700, ready: ['db', 'api'], failed: [] },
];

/** Folds events from a fresh state, collecting the plain lines. */
const play = (events: EngineEvent[], units: string[] = ['db', 'api']): { state: ProgressState; lines: string[] } =>
  events.reduce(
    ({ state, lines }, event) => {
      const next = foldProgress(state, event);
      return { state: next, lines: [...lines, ...renderProgressLines(event, state, next, { color: false })] };
    },
    { state: createProgress(units, T0), lines: [] as string[] },
  );

describe('plain progress lines', () => {
  it('tells the story one line per change', () => {
    expect(play(story).lines).toEqual([
      'api: waiting-for-needs: db',
      'overlay tpl: copying',
      'db: starting',
      'overlay tpl: copied',
      'old: deleted (not in manifest (prune))',
      'db: ready (400 ms)',
      'api: starting',
      'api: exited with code 1',
      'api: backoff (restarting in 1 s (exited with code 1))',
      'api: starting',
      'api: running',
      'api: ready (1.2 s)',
    ]);
  });

  it.each<[string, EngineEvent[], string[]]>([
    [
      'a failure names its reason',
      [
        { type: 'unit-phase', at: T0 + 5, unit: 'db', phase: 'starting' },
        { type: 'unit-exited', at: T0 + 9, unit: 'db', code: null, signal: 'SIGKILL' },
        { type: 'unit-phase', at: T0 + 9, unit: 'db', phase: 'failed', reason: 'gave up after 3 restarts' },
      ],
      ['db: starting', 'db: killed by SIGKILL', 'db: failed (gave up after 3 restarts)'],
    ],
    [
      'an exit while stopping is expected and not reported',
      [
        { type: 'unit-phase', at: T0, unit: 'db', phase: 'stopping' },
        { type: 'unit-exited', at: T0 + 1, unit: 'db', code: null, signal: 'SIGTERM' },
        { type: 'unit-phase', at: T0 + 1, unit: 'db', phase: 'stopped' },
      ],
      ['db: stopping', 'db: stopped'],
    ],
    [
      'a repeated phase and an unchanged hold print nothing',
      [
        { type: 'plan', at: T0, plan: plan({ holds: [{ unit: 'api', reason: 'backoff', on: [], message: 'in 2 s' }] }) },
        { type: 'plan', at: T0 + 1, plan: plan({ holds: [{ unit: 'api', reason: 'backoff', on: [], message: 'in 2 s' }] }) },
        { type: 'unit-phase', at: T0 + 2, unit: 'db', phase: 'running' },
        { type: 'unit-phase', at: T0 + 3, unit: 'db', phase: 'running' },
        { type: 'unit-health', at: T0 + 4, unit: 'db', health: { status: 'checking', healthy: false, last_check: null, last_error: null, consecutive_failures: 0 } },
      ],
      ['api: backoff: in 2 s', 'db: running'],
    ],
    [
      'failed actions are reported',
      [
        { type: 'action', at: T0, action: { type: 'start', unit: 'db', reason: 'new' }, outcome: 'failed', error: 'port 5432 is taken' },
        { type: 'action', at: T0, action: { type: 'sync-overlay', overlay: 'tpl', reason: 'new' }, outcome: 'failed' },
        { type: 'action', at: T0, action: { type: 'start', unit: 'api', reason: 'new' }, outcome: 'done' },
      ],
      ['db: start failed: port 5432 is taken', 'overlay tpl: sync failed'],
    ],
  ])('%s', (_name, events, expected) => {
    expect(play(events).lines).toEqual(expected);
  });
});

describe('live frame', () => {
  it('shows every unit with an icon, status and detail, then a tally', () => {
    const midway = play(story.slice(0, 9)).state;
    const frame = renderProgressFrame(midway, { color: false, now: T0 + 900, tick: 3 });
    expect(frame.text).toBe(
      [
        '✔ db           ready     400 ms',
        '⠸ api          starting  470 ms',
        '✔ overlay tpl  copied',
        '■ old          deleted',
        '1/2 ready · 900 ms',
        '',
      ].join('\n'),
    );
    expect(frame.lines).toBe(5);
  });

  it('shows holds, backoff and failures with their reasons, cut to the terminal width', () => {
    const state = play([
      { type: 'plan', at: T0, plan: plan({ holds: [{ unit: 'web', reason: 'dependency-failed', on: ['db'], message: '' }] }) },
      { type: 'unit-phase', at: T0 + 1, unit: 'db', phase: 'failed', reason: 'exited with code 1 after a very long explanation' },
      { type: 'unit-phase', at: T0 + 1, unit: 'api', phase: 'backoff', reason: 'restarting in 2 s' },
    ]).state;
    expect(renderProgressFrame(state, { color: false, now: T0 + 2000, tick: 0, columns: 40 }).text).toBe(
      [
        '✖ db   failed   exited with code 1 aft…',
        '↻ api  backoff  restarting in 2 s',
        '· web  pending  dependency-failed: db',
        '0/3 ready · 1 failed · 2.0 s',
        '',
      ].join('\n'),
    );
  });

  it('colours icons when colour is on, same text underneath', () => {
    const state = play(story).state;
    const colored = renderProgressFrame(state, { color: true, now: T0 + 3000, tick: 0 });
    expect(colored.text).toContain('\u001b[32m✔\u001b[39m');
    expect(stripAnsi(colored.text)).toBe(renderProgressFrame(state, { color: false, now: T0 + 3000, tick: 0 }).text);
  });

  it.each<[number, string, string]>([
    [0, 'a\n', 'a\n'],
    [3, 'a\nb\n', '\u001b[3F\u001b[Ja\nb\n'],
  ])('redrawFrame(%i, %j)', (previous, text, expected) => {
    expect(redrawFrame(previous, text)).toBe(expected);
  });
});

describe('summarizeProgress', () => {
  it('splits units into ready, failed and pending', () => {
    const state = play([
      { type: 'unit-phase', at: T0 + 1, unit: 'db', phase: 'ready' },
      { type: 'unit-phase', at: T0 + 2, unit: 'api', phase: 'failed', reason: 'exited with code 1' },
      { type: 'plan', at: T0 + 3, plan: plan({ holds: [{ unit: 'web', reason: 'dependency-failed', on: ['api'], message: '' }] }) },
      { type: 'unit-phase', at: T0 + 4, unit: 'cache', phase: 'starting' },
    ]).state;
    expect(summarizeProgress(state, T0 + 5000)).toEqual({
      ready: ['db'],
      failed: [{ unit: 'api', reason: 'exited with code 1' }],
      pending: [
        { unit: 'web', reason: 'dependency-failed: api' },
        { unit: 'cache', reason: 'starting' },
      ],
      durationMs: 5000,
    });
  });
});

describe('renderApplySummary', () => {
  it.each<[string, Parameters<typeof renderApplySummary>[0], boolean, string]>([
    ['all ready', { ready: ['a', 'b', 'c'], failed: [], durationMs: 1400 }, false, '✔ 3 units ready in 1.4 s\n'],
    ['one unit', { ready: ['a'], failed: [], durationMs: 80 }, false, '✔ 1 unit ready in 80 ms\n'],
    ['nothing', { ready: [], failed: [], durationMs: 3 }, false, '✔ nothing to run (3 ms)\n'],
    [
      'a failure ends the summary',
      { ready: ['db', 'web'], failed: [{ unit: 'api', reason: 'exited with code 1' }], durationMs: 2100 },
      false,
      '✔ 2 units ready in 2.1 s\n✖ 1 unit failed: api (exited with code 1)\n',
    ],
    [
      'only failures',
      { ready: [], failed: [{ unit: 'api', reason: 'exited with code 1' }, { unit: 'w', reason: null }], durationMs: 500 },
      false,
      '✖ 2 units failed: api (exited with code 1), w\n',
    ],
    [
      'a timeout lists what is not ready',
      { ready: ['db'], failed: [], pending: [{ unit: 'web', reason: 'starting' }], durationMs: 30_000 },
      true,
      '✔ 1 unit ready in 30 s\n✖ timed out after 30 s: 1 unit not ready: web (starting)\n',
    ],
  ])('%s', (_name, summary, timedOut, expected) => {
    expect(renderApplySummary(summary, { color: false, timedOut })).toBe(expected);
  });

  it('colours the verdict', () => {
    expect(renderApplySummary({ ready: [], failed: [{ unit: 'api', reason: null }], durationMs: 1 }, { color: true })).toBe(
      '\u001b[31m✖\u001b[39m \u001b[31m1 unit failed\u001b[39m: api\n',
    );
  });
});
