import { describe, expect, it } from 'vitest';
import type { Plan } from '../engine/types.js';
import { redactSecrets, renderPlan } from './render-plan.js';
import { stripAnsi } from './style.js';

const plan = (partial: Partial<Plan>): Plan => ({ actions: [], holds: [], recheckAt: null, ...partial });

describe('renderPlan', () => {
  it.each<[string, Plan, string]>([
    ['an empty plan is in sync', plan({}), 'in sync: nothing to do\n'],
    [
      'every action type, in the planner order, with a summary',
      plan({
        actions: [
          { type: 'delete', unit: 'old-worker', reason: 'not in manifest (prune)' },
          { type: 'stop', unit: 'web', reason: 'api restarts' },
          { type: 'sync-overlay', overlay: 'web-template', reason: 'source changed' },
          { type: 'restart', unit: 'api', reason: 'env DB_URL changed (.env.local:3)' },
          { type: 'update', unit: 'worker', reason: 'max_restarts 3 → 5' },
          { type: 'start', unit: 'cache', reason: 'new' },
        ],
      }),
      [
        '- delete old-worker: not in manifest (prune)',
        '- stop web: api restarts',
        '~ sync overlay web-template: source changed',
        '~ restart api: env DB_URL changed (.env.local:3)',
        '= update worker: max_restarts 3 → 5',
        '+ start cache: new',
        '',
        '1 to start, 1 to restart, 1 to update in place, 1 overlay to sync, 1 to stop, 1 to delete',
        '',
      ].join('\n'),
    ],
    [
      'holds after actions',
      plan({
        actions: [
          { type: 'start', unit: 'db', reason: 'new' },
          { type: 'start', unit: 'queue', reason: 'new' },
        ],
        holds: [
          { unit: 'web', reason: 'waiting-for-needs', on: ['api', 'db'], message: 'waiting for api, db' },
          { unit: 'api', reason: 'waiting-for-needs', on: ['db'], message: 'waiting for db' },
        ],
      }),
      [
        '+ start db: new',
        '+ start queue: new',
        '· web waiting-for-needs: api, db',
        '· api waiting-for-needs: db',
        '',
        '2 to start; 2 units held',
        '',
      ].join('\n'),
    ],
    [
      'only holds: no changes now; a hold without names shows its message; overlays are named as such',
      plan({
        holds: [
          { unit: 'api', reason: 'backoff', on: [], message: 'restarting in 2 s (exited with code 1)' },
          { unit: 'web-template', kind: 'overlay', reason: 'waiting-for-needs', on: ['builder'], message: '' },
          { unit: 'off', reason: 'disabled', on: [], message: '' },
        ],
      }),
      [
        '· api backoff: restarting in 2 s (exited with code 1)',
        '· overlay web-template waiting-for-needs: builder',
        '· off disabled',
        '',
        'no changes now; 3 units held',
        '',
      ].join('\n'),
    ],
    [
      'an action without a reason',
      plan({ actions: [{ type: 'restart', unit: 'api', reason: '' }] }),
      '~ restart api\n\n1 to restart\n',
    ],
  ])('%s', (_name, input, expected) => {
    expect(renderPlan(input, { color: false })).toBe(expected);
  });

  it('never prints a secret value that slipped into a reason', () => {
    const text = renderPlan(
      plan({
        actions: [{ type: 'restart', unit: 'api', reason: 'env API_TOKEN changed from hunter22 to hunter22x' }],
        holds: [{ unit: 'web', reason: 'backoff', on: [], message: 'bad token hunter22x' }],
      }),
      { color: false, redact: ['hunter22', 'hunter22x', 'no'] },
    );
    expect(text).not.toContain('hunter22');
    expect(text).toContain('env API_TOKEN changed from *** to ***');
    expect(text).toContain('bad token ***');
  });

  it('colours sigils and verbs when colour is on', () => {
    const text = renderPlan(
      plan({ actions: [{ type: 'start', unit: 'web', reason: 'new' }], holds: [{ unit: 'x', reason: 'backoff', on: [], message: 'soon' }] }),
      { color: true },
    );
    expect(text.split('\n')[0]).toBe('\u001b[32m+ start\u001b[39m \u001b[1mweb\u001b[22m: new');
    expect(stripAnsi(text)).toBe('+ start web: new\n· x backoff: soon\n\n1 to start; 1 unit held\n');
  });
});

describe('redactSecrets', () => {
  it.each<[string, string[], string]>([
    ['no secrets', [], 'no secrets'],
    ['a=abc b=abcdef', ['abc', 'abcdef'], 'a=*** b=***'],
    ['short x', ['x'], 'short x'],
  ])('%j with %j', (text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });
});
