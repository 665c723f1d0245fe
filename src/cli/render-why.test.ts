import { describe, expect, it } from 'vitest';
import { findBlockerChains, renderWhy, type WhyNode } from './render-why.js';
import { stripAnsi } from './style.js';

const NOW = 10_000_000;

const node = (name: string, partial: Partial<WhyNode> = {}): WhyNode => ({
  name,
  status: 'pending',
  hold: null,
  last_error: null,
  last_exit: null,
  ...partial,
});

const waits = (name: string, on: string[], reason: 'waiting-for-needs' | 'dependency-failed' = 'waiting-for-needs'): WhyNode =>
  node(name, { hold: { unit: name, reason, on, message: `waiting for ${on.join(', ')}` } });

const nodes: Record<string, WhyNode> = {
  web: waits('web', ['api', 'tpl']),
  api: waits('api', ['db'], 'dependency-failed'),
  db: node('db', {
    status: 'failed',
    last_error: 'exited with code 1',
    last_exit: { code: 1, signal: null, known: true, at: NOW - 12_000 },
  }),
  tpl: node('tpl', { kind: 'overlay', status: 'in_progress' }),
  cache: node('cache', { status: 'ready', ready_at: NOW - 300_000 }),
  a: waits('a', ['b']),
  b: waits('b', ['a']),
  lonely: waits('lonely', ['ghost']),
};

describe('findBlockerChains', () => {
  it.each<[string, string[][]]>([
    ['web', [['web', 'api', 'db'], ['web', 'tpl']]],
    ['api', [['api', 'db']]],
    ['db', []],
    ['cache', []],
    ['a', [['a', 'b', 'a']]],
    ['lonely', [['lonely', 'ghost']]],
  ])('%s', (unit, expected) => {
    expect(findBlockerChains(unit, nodes)).toEqual(expected);
  });
});

describe('renderWhy', () => {
  it.each<[string, string, Record<string, string[]>, string]>([
    ['a ready unit', 'cache', {}, '✔ cache is ready for 5m: nothing holds it\n'],
    ['an unknown unit', 'nope', {}, '✖ nope is not a unit of this project\n'],
    [
      'a unit waiting on a failed chain: the chains, the root cause exit and its log',
      'web',
      { db: ['FATAL: data directory "/pg" does not exist', 'shutting down'] },
      [
        '· web is not ready: pending, waiting-for-needs: api, tpl',
        '',
        'blocked by:',
        '  web → api → db (failed: exited with code 1)',
        '  web → tpl (overlay in_progress)',
        '',
        'last exit of db: exited with code 1, 12s ago',
        "last 2 lines of db's log:",
        '  │ FATAL: data directory "/pg" does not exist',
        '  │ shutting down',
        '',
      ].join('\n'),
    ],
    [
      'a failed unit itself',
      'db',
      { db: ['boom'] },
      ['✖ db is not ready: failed: exited with code 1', '', 'last exit of db: exited with code 1, 12s ago', "last line of db's log:", '  │ boom', ''].join('\n'),
    ],
    [
      'a cycle and a missing dependency are called out',
      'a',
      {},
      ['· a is not ready: pending, waiting-for-needs: b', '', 'blocked by:', '  a → b → a (dependency cycle)', ''].join('\n'),
    ],
    ['a missing need', 'lonely', {}, ['· lonely is not ready: pending, waiting-for-needs: ghost', '', 'blocked by:', '  lonely → ghost (not defined)', ''].join('\n')],
    [
      'a unit in backoff with logs of its own',
      'worker',
      { worker: ['Error: ECONNREFUSED'] },
      [
        '· worker is not ready: backoff: restarting in 2 s (exited with code 3)',
        '',
        'last exit of worker: killed by SIGKILL, 1s ago',
        "last line of worker's log:",
        '  │ Error: ECONNREFUSED',
        '',
      ].join('\n'),
    ],
  ])('%s', (_name, unit, logs, expected) => {
    const all = {
      ...nodes,
      worker: node('worker', {
        status: 'backoff',
        last_error: 'restarting in 2 s (exited with code 3)',
        last_exit: { code: null, signal: 'SIGKILL', known: true, at: NOW - 1000 },
      }),
    };
    expect(renderWhy({ unit, nodes: all, logs, now: NOW }, { color: false })).toBe(expected);
  });

  it('colours the failed root cause red', () => {
    const text = renderWhy({ unit: 'api', nodes, now: NOW }, { color: true });
    expect(text).toContain('\u001b[31mfailed: exited with code 1\u001b[39m');
    expect(stripAnsi(text)).toBe(renderWhy({ unit: 'api', nodes, now: NOW }, { color: false }));
  });
});
