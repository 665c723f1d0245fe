// The planner, rule by rule: literal desired/observed states in, the plan (actions, holds, recheckAt) out.

import { describe, expect, it } from 'vitest';
import { plan } from './plan.js';
import {
  copiedOverlay,
  desiredModel,
  observedState,
  observedUnit,
  overlaySpec,
  runningUnit,
  unitSpec,
} from './testing/spec-builder.js';
import type { DesiredModel, ObservedState, Plan } from './types.js';

/** A plan as short lines: `start api: new`, `hold web waiting-for-needs [api]: needs api, which is starting`. */
const lines = (p: Plan): string[] => [
  ...p.actions.map((a) => `${a.type} ${a.type === 'sync-overlay' ? a.overlay : a.unit}: ${a.reason}`),
  ...p.holds.map((h) => `hold ${h.unit} ${h.reason} [${h.on.join(',')}]${h.terminal ? ' (terminal)' : ''}: ${h.message}`),
];

const NOW = 1_000_000;
const exit1 = { code: 1, signal: null, known: true, at: NOW - 10 };

const db = unitSpec('db', { health_port: 5432 });
const api = unitSpec('api', { needs: ['db'], env: { DB_URL: 'postgres://localhost/app' } });
const web = unitSpec('web', { needs: ['api'] });
const worker = unitSpec('worker');
const apiFollowing = unitSpec('api', { needs: [{ name: 'db', restart: true }] });
const tmpl = overlaySpec('web-template');
const site = unitSpec('site', { kind: 'server', overlays: ['web-template'] });

interface Case {
  name: string;
  desired: DesiredModel;
  observed: ObservedState;
  now?: number;
  expected: string[];
  recheckAt?: number | null;
}

const cases: Case[] = [
  { name: 'nothing desired, nothing observed: an empty plan', desired: desiredModel([]), observed: observedState(), expected: [] },
  {
    name: 'a fresh chain starts only its root; each dependent waits for its need',
    desired: desiredModel([db, api, web]),
    observed: observedState(),
    expected: [
      'start db: new',
      'hold api waiting-for-needs [db]: needs db, which is starting',
      'hold web waiting-for-needs [api]: needs api, which needs db, which is starting',
    ],
  },
  {
    name: 'independent units start together, in name order',
    desired: desiredModel([worker, db]),
    observed: observedState(),
    expected: ['start db: new', 'start worker: new'],
  },
  {
    name: 'a need that runs but has not passed its health check holds its dependents',
    desired: desiredModel([db, api]),
    observed: observedState([runningUnit(db, 'running')]),
    expected: ['hold api waiting-for-needs [db]: needs db, which is not healthy yet'],
  },
  {
    name: 'a dependent starts as soon as its need is ready, not level by level',
    desired: desiredModel([db, api, web, worker]),
    observed: observedState([runningUnit(db), observedUnit('worker', 'starting')]),
    expected: ['start api: new', 'hold web waiting-for-needs [api]: needs api, which is starting'],
  },
  {
    name: 'units running with the desired fingerprint: no action, no hold (in sync)',
    desired: desiredModel([db, api]),
    observed: observedState([runningUnit(db), runningUnit(api, 'ready', { needRuns: { db: 'db-run-1' } })]),
    expected: [],
  },
  {
    name: 'units with an action in flight (installing, starting, stopping) are left alone',
    desired: desiredModel([db, worker, unitSpec('web2', { install: 'npm ci' })]),
    observed: observedState([observedUnit('db', 'stopping'), observedUnit('worker', 'starting'), observedUnit('web2', 'installing')]),
    expected: [],
  },
  {
    name: 'an env value change restarts the unit with the variable named, never its value',
    desired: desiredModel([db, unitSpec('api', { needs: ['db'], env: { DB_URL: 'postgres://secret@prod/app' } })]),
    observed: observedState([runningUnit(db), runningUnit(api)]),
    expected: ['restart api: env DB_URL changed'],
  },
  {
    name: 'an env file whose content changed is named, with where the new value comes from',
    desired: desiredModel([
      unitSpec('api', {
        env_files: [{ path: '/project/.env', required: true, sha256: 'new' }],
        env: { TOKEN: { value: 'b', source: { kind: 'env-file', file: '/project/.env', line: 3 }, secret: true } },
      }),
    ]),
    observed: observedState([
      runningUnit(
        unitSpec('api', {
          env_files: [{ path: '/project/.env', required: true, sha256: 'old' }],
          env: { TOKEN: { value: 'a', source: { kind: 'env-file', file: '/project/.env', line: 3 }, secret: true } },
        }),
      ),
    ]),
    expected: ['restart api: env file .env changed, env TOKEN changed (.env:3)'],
  },
  {
    name: 'an args change restarts',
    desired: desiredModel([unitSpec('worker', { args: ['--fast'] })]),
    observed: observedState([runningUnit(worker)]),
    expected: ['restart worker: args changed'],
  },
  {
    name: 'only max_restarts and restart_policy changed: update in place, no restart',
    desired: desiredModel([unitSpec('worker', { max_restarts: 9, restart_policy: 'always' })]),
    observed: observedState([runningUnit(worker)]),
    expected: ['update worker: restart_policy changed, max_restarts changed'],
  },
  {
    name: 'only health settings changed: update in place',
    desired: desiredModel([unitSpec('db', { health_port: 5433 })]),
    observed: observedState([runningUnit(db)]),
    expected: ['update db: health_port changed'],
  },
  {
    name: 'a moved declaration (source location only) is no change',
    desired: desiredModel([{ ...worker, location: { file: '/project/sandbox.yaml', line: 40, col: 3 } }]),
    observed: observedState([runningUnit({ ...worker, location: { file: '/project/sandbox.yaml', line: 12, col: 3 } })]),
    expected: [],
  },
  {
    name: 'a disabled unit that runs is stopped; one that does not is held as disabled',
    desired: desiredModel([{ spec: worker, enabled: false }, { spec: db, enabled: false }]),
    observed: observedState([runningUnit(worker), observedUnit('db', 'stopped')]),
    expected: ['stop worker: stopped by request', 'hold db disabled [] (terminal): disabled (stopped by request)'],
  },
  {
    name: 'stopping a need stops its dependents first',
    desired: desiredModel([{ spec: db, enabled: false }, api]),
    observed: observedState([runningUnit(db), runningUnit(api)]),
    expected: ['stop api: needs db, which stops', 'hold db stopping-dependents [api]: stop (stopped by request) waits until api stopped'],
  },
  {
    name: 'stopping everything goes in reverse dependency order: c first, then b, then a',
    desired: desiredModel([
      { spec: unitSpec('a'), enabled: false },
      { spec: unitSpec('b', { needs: ['a'] }), enabled: false },
      { spec: unitSpec('c', { needs: ['b'] }), enabled: false },
    ]),
    observed: observedState([runningUnit(unitSpec('a')), runningUnit(unitSpec('b', { needs: ['a'] })), runningUnit(unitSpec('c', { needs: ['b'] }))]),
    expected: [
      'stop c: stopped by request',
      'hold a stopping-dependents [b]: stop (stopped by request) waits until b stopped',
      'hold b stopping-dependents [c]: stop (stopped by request) waits until c stopped',
    ],
  },
  {
    name: 'a dependent that is still stopping keeps its need waiting',
    desired: desiredModel([{ spec: db, enabled: false }, api]),
    observed: observedState([runningUnit(db), observedUnit('api', 'stopping')]),
    expected: ['hold db stopping-dependents [api]: stop (stopped by request) waits until api stopped'],
  },
  {
    name: 'a need that restarts stops its followers first; plain dependents keep running',
    desired: desiredModel([unitSpec('db', { health_port: 5432, args: ['-v'] }), apiFollowing, unitSpec('web', { needs: ['db'] })]),
    observed: observedState([runningUnit(db), runningUnit(apiFollowing), runningUnit(unitSpec('web', { needs: ['db'] }))]),
    expected: ['stop api: needs db, which restarts', 'hold db stopping-dependents [api]: restart (args changed) waits until api stopped'],
  },
  {
    name: 'once its followers are down, the need restarts and they wait for it',
    desired: desiredModel([unitSpec('db', { health_port: 5432, args: ['-v'] }), apiFollowing]),
    observed: observedState([runningUnit(db), runningUnit(apiFollowing, 'stopped', { needRuns: { db: 'db-run-1' } })]),
    expected: ['restart db: args changed', 'hold api waiting-for-needs [db]: needs db, which restarts'],
  },
  {
    name: 'a follower whose need started a new run (a crash restart) restarts once the need is ready',
    desired: desiredModel([db, apiFollowing]),
    observed: observedState([
      runningUnit(db, 'ready', { run_id: 'db-run-2' }),
      runningUnit(apiFollowing, 'ready', { needRuns: { db: 'db-run-1' } }),
    ]),
    expected: ['restart api: needs db restarted'],
  },
  {
    name: 'a follower stopped for its need restart starts again, saying why',
    desired: desiredModel([db, apiFollowing]),
    observed: observedState([
      runningUnit(db, 'ready', { run_id: 'db-run-2' }),
      runningUnit(apiFollowing, 'stopped', { needRuns: { db: 'db-run-1' } }),
    ]),
    expected: ['start api: needs db restarted'],
  },
  {
    name: 'a failed need holds its dependents (transitively) while an unrelated unit converges',
    desired: desiredModel([db, api, web, worker]),
    observed: observedState([runningUnit(db, 'failed', { last_error: 'exited with code 1', last_exit: exit1, pid: null })]),
    expected: [
      'start worker: new',
      'hold db gave-up [] (terminal): exited with code 1',
      'hold api dependency-failed [db] (terminal): needs db, which failed: exited with code 1',
      'hold web dependency-failed [api] (terminal): needs api, which needs db, which failed: exited with code 1',
    ],
  },
  {
    name: 'a unit in backoff waits until backoff_until, and the plan says when to look again',
    desired: desiredModel([worker]),
    observed: observedState([
      runningUnit(worker, 'backoff', { backoff_until: NOW + 4000, last_exit: exit1, restart_count: 1, last_error: 'exited with code 1' }),
    ]),
    expected: ['hold worker backoff []: restarting in 4s after exit code 1'],
    recheckAt: NOW + 4000,
  },
  {
    name: 'backoff over: the restart policy retries',
    desired: desiredModel([worker]),
    observed: observedState([runningUnit(worker, 'backoff', { backoff_until: NOW, last_exit: exit1, restart_count: 1 })]),
    expected: ['start worker: restart 2 after exit code 1'],
  },
  {
    name: 'a failed unit retries when its config changes',
    desired: desiredModel([unitSpec('worker', { env: { MODE: 'fixed' } })]),
    observed: observedState([runningUnit(worker, 'failed', { last_error: 'exited with code 1', pid: null })]),
    expected: ['start worker: env MODE added'],
  },
  {
    name: 'a unit that exited and whose policy keeps it down is held as exited',
    desired: desiredModel([worker]),
    observed: observedState([runningUnit(worker, 'stopped', { stay_down: true, last_error: 'exited with code 0; restart_policy is never' })]),
    expected: ['hold worker exited [] (terminal): exited with code 0; restart_policy is never'],
  },
  {
    name: 'a pruned unit is deleted (stopped first)',
    desired: desiredModel([{ spec: worker, removal: 'not in manifest (prune)' }]),
    observed: observedState([runningUnit(worker)]),
    expected: ['delete worker: not in manifest (prune)'],
  },
  {
    name: 'a pruned unit waits for a unit that still needs it to stop first',
    desired: desiredModel([{ spec: db, removal: 'not in manifest (prune)' }, { spec: api, owner: 'api' }]),
    observed: observedState([runningUnit(db), runningUnit(api)]),
    expected: ['stop api: needs db, which stops', 'hold db stopping-dependents [api]: delete (not in manifest (prune)) waits until api stopped'],
  },
  {
    name: 'a unit only observed (desired forgot it) is deleted',
    desired: desiredModel([]),
    observed: observedState([runningUnit(worker)]),
    expected: ['delete worker: not desired'],
  },
  {
    name: 'an overlay never copied is synced; the unit that needs it waits for it',
    desired: desiredModel([site], [tmpl]),
    observed: observedState(),
    expected: ['sync-overlay web-template: new', 'hold site waiting-for-overlay [web-template]: needs overlay web-template, which is syncing'],
  },
  {
    name: 'a complete, current overlay lets its unit start',
    desired: desiredModel([site], [tmpl]),
    observed: observedState([], [copiedOverlay('web-template', 'd1')]),
    expected: ['start site: new'],
  },
  {
    name: 'an overlay whose source changed is re-synced while its unit keeps running',
    desired: desiredModel([site], [tmpl]),
    observed: observedState(
      [runningUnit(site, 'ready', { inputs: { overlays: { 'web-template': 'd1' } } })],
      [copiedOverlay('web-template', 'd1', { source_digest: 'd2' })],
    ),
    expected: ['sync-overlay web-template: source changed'],
  },
  {
    name: 'once the new copy is in, the unit that needs it restarts',
    desired: desiredModel([site], [tmpl]),
    observed: observedState(
      [runningUnit(site, 'ready', { inputs: { overlays: { 'web-template': 'd1' } } })],
      [copiedOverlay('web-template', 'd2')],
    ),
    expected: ['restart site: overlay web-template changed'],
  },
  {
    name: 'a failed overlay fails the units that need it',
    desired: desiredModel([site], [tmpl]),
    observed: observedState([], [copiedOverlay('web-template', 'd1', { status: 'failed', error: 'source missing' })]),
    expected: [
      'hold web-template gave-up [] (terminal): copy failed: source missing',
      'hold site dependency-failed [web-template] (terminal): needs overlay web-template, which failed: source missing',
    ],
  },
  {
    name: 'a ${units.api.url} reference waits for api and starts once it has a port',
    desired: desiredModel([unitSpec('api', { kind: 'server' }), unitSpec('ui', { env: { API: '${units.api.url}' } })]),
    observed: observedState([runningUnit(unitSpec('api', { kind: 'server' }), 'ready', { port: 4000 })]),
    expected: ['start ui: new'],
  },
  {
    name: 'a referenced port that changed restarts the unit using it',
    desired: desiredModel([unitSpec('api', { kind: 'server' }), unitSpec('ui', { env: { API: '${units.api.url}' } })]),
    observed: observedState([
      runningUnit(unitSpec('api', { kind: 'server' }), 'ready', { port: 4001 }),
      runningUnit(unitSpec('ui', { env: { API: '${units.api.url}' } }), 'ready', { inputs: { refs: { '${units.api.url}': 'http://127.0.0.1:4000' } } }),
    ]),
    expected: ['restart ui: units.api.url changed'],
  },
  {
    name: 'a restart whose needs are not ready waits, and says what is pending',
    desired: desiredModel([db, unitSpec('api', { needs: ['db'], env: { DB_URL: 'other' } })]),
    observed: observedState([observedUnit('db', 'starting'), runningUnit(api)]),
    expected: ['hold api waiting-for-needs [db]: restart pending (env DB_URL changed); needs db, which is starting'],
  },
  {
    name: 'an imperative restart restarts a unit whose config is unchanged',
    desired: desiredModel([{ spec: worker, restart_requested: true }]),
    observed: observedState([runningUnit(worker)]),
    expected: ['restart worker: restart requested'],
  },
  {
    name: 'a need that is not defined holds the unit for good',
    desired: desiredModel([unitSpec('api', { needs: ['ghost'] })]),
    observed: observedState(),
    expected: ['hold api waiting-for-needs [ghost] (terminal): needs ghost, which is not defined'],
  },
  {
    name: 'a dependency cycle (hand-made state) does not throw',
    desired: desiredModel([unitSpec('x', { needs: ['y'] }), unitSpec('y', { needs: ['x'] })]),
    observed: observedState(),
    expected: ['hold x waiting-for-needs [y]: needs y, which is not ready', 'hold y waiting-for-needs [x]: needs x, which needs y, which is not ready'],
  },
];

describe('plan', () => {
  it.each(cases)('$name', ({ desired, observed, now, expected, recheckAt }) => {
    const result = plan(desired, observed, now ?? NOW);
    expect(lines(result)).toEqual(expected);
    if (recheckAt !== undefined) expect(result.recheckAt).toBe(recheckAt);
  });

  it('is deterministic: the order of keys in its inputs does not matter', () => {
    const desired = desiredModel([web, worker, api, db]);
    const reversed: DesiredModel = { ...desired, units: Object.fromEntries(Object.entries(desired.units).reverse()) };
    const observed = observedState([runningUnit(db)]);
    expect(plan(reversed, observed, NOW)).toEqual(plan(desired, observed, NOW));
  });

  it('never puts an env value in a reason or message', () => {
    const secret = 'hunter2-secret-value';
    const desired = desiredModel([db, unitSpec('api', { needs: ['db'], env: { DB_PASSWORD: secret } })]);
    const observed = observedState([observedUnit('db', 'starting'), runningUnit(api)]);
    expect(JSON.stringify(plan(desired, observed, NOW))).not.toContain(secret);
  });

  it('keeps hold messages short in deep chains: a few links, then the root cause', () => {
    const chain = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i, all) => unitSpec(name, { needs: i > 0 ? [all[i - 1] as string] : [] }));
    const holds = plan(desiredModel(chain), observedState([runningUnit(unitSpec('a'), 'failed', { last_error: 'exited with code 2' })]), NOW).holds;
    expect(holds.find((h) => h.unit === 'f')?.message).toBe('needs e, which needs d, which needs c, … which failed: exited with code 2');
  });

  it('keeps hold messages bounded however long the chain (a 500-unit chain stays one ellipsis)', () => {
    const names = Array.from({ length: 500 }, (_, i) => `w${String(i).padStart(3, '0')}`);
    const chain = names.map((name, i) => unitSpec(name, { needs: i > 0 ? [names[i - 1] as string] : [] }));
    const holds = plan(desiredModel(chain), observedState(), NOW).holds;
    const longest = Math.max(...holds.map((h) => h.message.length));
    expect(longest).toBeLessThan(120);
    expect(holds.find((h) => h.unit === 'w499')?.message.split('…')).toHaveLength(2);
  });

  it('has no recheckAt when nothing waits on time', () => {
    expect(plan(desiredModel([worker]), observedState(), NOW).recheckAt).toBeNull();
  });
});
