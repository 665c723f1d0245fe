// The heart of sbx: plan(desired, observed, now) → the actions eligible now, a hold (with its reason) for every unit
// that waits, and when to look again. Pure: no I/O, no clock, no randomness; the same inputs give the same plan.
//
// One walk over units and overlays in dependency order (needs first, then by name):
//   overlay  sync when never copied, or its settings or its source changed; dependents wait until it is complete.
//   unit     marked for removal → delete;  disabled → stop;  stopping → wait (no decision while an action runs);
//            up   (installing … ready) → restart on a fingerprint change, on request, or when a need it follows
//                 (`{ restart: true }`) started a new run; update in place when only no-restart fields changed;
//            down (pending, stopped, backoff, failed) → start once every need is ready; failed or exited units
//                 only when their config changed; backoff until backoff_until (→ recheckAt).
//   order    a unit that goes down (stop, delete, restart) first waits for its dependents to be down: all of them
//            for a stop or delete, those that follow it for a restart ("stopping-dependents"). A need is ready for
//            its dependents only when it is ready and is not about to go down.

import { describeInPlaceChange } from './describe-change.js';
import { effectiveFingerprint, overlaySpecKey } from './fingerprint.js';
import { READY, failedNeed, holdForNeeds, waiting, type NeedState } from './need-state.js';
import { buildPlanGraph, type PlanGraph } from './plan-graph.js';
import type { Action, DesiredModel, Hold, HoldReason, ObservedState, ObservedUnit, Plan, UnitPhase } from './types.js';
import { changeReasons, currentInputs, restartedFollowedNeeds } from './unit-change.js';

/** Phases with a process (or an install) of the unit alive. */
const LIVE = new Set<UnitPhase>(['installing', 'starting', 'running', 'ready']);

/** What the planner decided for one node. */
type Verdict = { kind: 'none' } | { kind: 'hold'; hold: Hold } | { kind: 'act'; action: Action };

/** Why a unit goes down this pass: its own stop/delete/restart, or a need that goes down before it. */
interface GoingDown {
  kind: 'stop' | 'restart';
  /** The need that takes it down, or null when it is the unit's own action. */
  cause: string | null;
}

interface Walk {
  desired: DesiredModel;
  observed: ObservedState;
  now: number;
  graph: PlanGraph;
  states: Map<string, NeedState>;
  verdicts: Map<string, Verdict>;
  down: Map<string, GoingDown>;
  recheckAt: number | null;
}

const NONE: Verdict = { kind: 'none' };

/** True while a unit has processes (or a stop in progress): it must be down before what it needs goes down. */
const isUp = (unit: ObservedUnit | undefined): boolean => !!unit && (LIVE.has(unit.phase) || unit.phase === 'stopping');

/** "exit code 1", "signal SIGKILL": the last exit in a few words. */
const lastExitText = (unit: ObservedUnit | undefined): string => {
  const exit = unit?.last_exit;
  if (!exit) return unit?.last_error ?? 'an exit';
  if (!exit.known) return 'an exit while sbx was down';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
};

/** Decides one unit from its desired and observed state and the readiness of its needs. */
const decideUnit = (walk: Walk, name: string): Verdict => {
  const { desired, observed, now, graph } = walk;
  const want = desired.units[name];
  const unit = observed.units[name];
  const phase = unit?.phase ?? 'pending';
  const act = (type: 'start' | 'restart' | 'update' | 'stop' | 'delete', reason: string): Verdict => ({
    kind: 'act',
    action: { type, unit: name, reason },
  });
  const hold = (reason: HoldReason, message: string, terminal: boolean): Verdict => ({
    kind: 'hold',
    hold: { unit: name, reason, on: [], message, terminal },
  });

  if (phase === 'stopping') return NONE;
  if (!want) return act('delete', 'not desired');
  if (want.removal) return act('delete', want.removal);
  if (!want.enabled) return LIVE.has(phase) ? act('stop', 'stopped by request') : hold('disabled', 'disabled (stopped by request)', true);

  const needs = graph.needsOf(name).map((need) => ({ name: need, overlay: graph.isOverlay(need), state: needState(walk, need) }));
  const whenNeedsReady = (type: 'start' | 'restart', reason: string, retry = false): Verdict => {
    const held = holdForNeeds({ name, kind: 'unit' }, needs, type === 'restart' ? `restart pending (${reason}); ` : '');
    if (held) return { kind: 'hold', hold: held };
    return retry ? { kind: 'act', action: { type: 'start', unit: name, reason, retry } } : act(type, reason);
  };
  const inputs = currentInputs(want.spec, observed, unit?.started);
  const changed = unit?.fingerprint != null && unit.fingerprint !== effectiveFingerprint(want.spec, inputs);
  const changeText = (): string => changeReasons(unit?.started, want.spec, inputs).join(', ');
  const followed = restartedFollowedNeeds(want.spec, unit, observed).map((need) => `needs ${need} restarted`);

  if (LIVE.has(phase)) {
    if (want.restart_requested) return whenNeedsReady('restart', 'restart requested');
    if (changed) return whenNeedsReady('restart', changeText());
    if (followed.length > 0) return whenNeedsReady('restart', followed.join(', '));
    const inPlace = unit?.started && (phase === 'running' || phase === 'ready') ? describeInPlaceChange(unit.started.spec, want.spec) : [];
    return inPlace.length > 0 ? act('update', inPlace.join(', ')) : NONE;
  }

  if (want.restart_requested) return whenNeedsReady('start', 'restart requested');
  if (changed) return whenNeedsReady('start', changeText());
  if (phase === 'failed') return hold('gave-up', unit?.last_error ?? 'failed', true);
  if (unit?.stay_down) return hold('exited', unit.last_error ?? `stopped after ${lastExitText(unit)}`, true);
  if (phase === 'backoff') {
    const until = unit?.backoff_until ?? now;
    if (until > now) {
      walk.recheckAt = Math.min(walk.recheckAt ?? until, until);
      return hold('backoff', `restarting in ${Math.ceil((until - now) / 1000)}s after ${lastExitText(unit)}`, false);
    }
    return whenNeedsReady('start', `restart ${(unit?.restart_count ?? 0) + 1} after ${lastExitText(unit)}`, true);
  }
  if (!unit?.started) return whenNeedsReady('start', 'new');
  return whenNeedsReady('start', followed.length > 0 ? followed.join(', ') : 'was stopped');
};

/** The readiness of an already-walked node, or why an unwalked one (unknown, or in a cycle) is not ready. */
const needState = (walk: Walk, name: string): NeedState => {
  const known = walk.states.get(name);
  if (known) return known;
  const exists = walk.desired.units[name] || walk.observed.units[name] || walk.desired.overlays[name];
  return exists ? waiting('which is not ready') : waiting('which is not defined', true);
};

/** "which needs api, which needs db, which failed: …", shortened in deep chains to the first and the last link. */
const which = (message: string): string => {
  // Split on both separators: a link already shortened to ", … which " must not nest another ellipsis.
  const links = message.split(/, (?:… )?which /);
  return links.length <= 3 ? `which ${message}` : `which ${links[0]}, … which ${links[links.length - 1]}`;
};

/** How a unit looks to the units that need it. */
const unitNeedState = (walk: Walk, name: string, verdict: Verdict): NeedState => {
  const want = walk.desired.units[name];
  const unit = walk.observed.units[name];
  const going = walk.down.get(name);
  if (!want) return waiting('which is not defined', true);
  if (want.removal) return waiting('which is being removed', true);
  if (!want.enabled) return waiting('which is disabled', true);
  if (going) return waiting(going.kind === 'restart' ? 'which restarts' : 'which stops');
  if (verdict.kind === 'act' && verdict.action.type === 'start') return waiting('which is starting');
  if (verdict.kind === 'hold') {
    const { hold } = verdict;
    if (LIVE.has(unit?.phase ?? 'pending')) return waiting('which restarts once its own needs are ready', hold.terminal);
    if (hold.reason === 'gave-up') return failedNeed(`which failed: ${hold.message}`);
    if (hold.reason === 'dependency-failed') return failedNeed(which(hold.message));
    if (hold.reason === 'waiting-for-needs' || hold.reason === 'waiting-for-overlay') return waiting(which(hold.message), hold.terminal);
    if (hold.reason === 'backoff') return waiting(`which is ${hold.message}`);
    return waiting(`which ${hold.reason === 'exited' ? 'exited' : 'is ' + hold.reason}: ${hold.message}`, hold.terminal);
  }
  switch (unit?.phase ?? 'pending') {
    case 'ready':
      return READY;
    case 'running':
      return waiting('which is not healthy yet');
    default:
      return waiting(`which is ${unit?.phase ?? 'pending'}`);
  }
};

/** Decides one overlay and how it looks to the units that need it. */
const decideOverlay = (walk: Walk, name: string): { verdict: Verdict; state: NeedState } => {
  const spec = walk.desired.overlays[name];
  if (!spec) return { verdict: NONE, state: waiting('which is not defined', true) };
  const copy = walk.observed.overlays[name];
  if (copy?.status === 'in_progress') return { verdict: NONE, state: waiting('which is syncing') };
  const key = overlaySpecKey(spec);
  const reason =
    !copy || copy.status === 'pending'
      ? 'new'
      : copy.spec_key != null && copy.spec_key !== key
        ? 'settings changed'
        : copy.source_digest != null && copy.source_digest !== copy.digest
          ? 'source changed'
          : null;
  if (reason === null) {
    if (copy?.status !== 'failed') return { verdict: NONE, state: READY };
    const message = `copy failed: ${copy.error ?? 'unknown error'}`;
    const hold: Hold = { unit: name, reason: 'gave-up', on: [], message, terminal: true, kind: 'overlay' };
    return { verdict: { kind: 'hold', hold }, state: failedNeed(`which failed: ${copy.error ?? 'unknown error'}`) };
  }
  const needs = walk.graph.needsOf(name).map((need) => ({ name: need, overlay: walk.graph.isOverlay(need), state: needState(walk, need) }));
  const held = holdForNeeds({ name, kind: 'overlay' }, needs);
  if (!held) return { verdict: { kind: 'act', action: { type: 'sync-overlay', overlay: name, reason } }, state: waiting('which is syncing') };
  const state = held.reason === 'dependency-failed' ? failedNeed(`which ${held.message}`) : waiting(`which ${held.message}`, held.terminal);
  return { verdict: { kind: 'hold', hold: held }, state };
};

/** The way a need going down takes this unit down with it, if it does (stop: every dependent; restart: followers). */
const inheritedDown = (walk: Walk, name: string): GoingDown | null => {
  let result: GoingDown | null = null;
  for (const need of walk.graph.needsOf(name)) {
    const going = walk.down.get(need);
    if (!going) continue;
    if (going.kind === 'stop') return { kind: 'stop', cause: need };
    if (!result && walk.graph.follows(name, need)) result = { kind: 'restart', cause: need };
  }
  return result;
};

/** The down-kind of a unit's own action, if it takes the unit down. */
const ownDown = (verdict: Verdict): GoingDown['kind'] | null => {
  if (verdict.kind !== 'act') return null;
  const { type } = verdict.action;
  return type === 'stop' || type === 'delete' ? 'stop' : type === 'restart' ? 'restart' : null;
};

/** Turns verdicts into the plan: a unit going down waits for its dependents, and a dependent taken down stops. */
const emit = (walk: Walk): Plan => {
  const actions: Action[] = [];
  const holds: Hold[] = [];
  for (const name of walk.graph.order) {
    const verdict = walk.verdicts.get(name) ?? NONE;
    const going = walk.down.get(name);
    const unit = walk.observed.units[name];
    const own = ownDown(verdict);
    if (going && (own || LIVE.has(unit?.phase ?? 'pending'))) {
      const blockers = walk.graph.dependentsOf(name).filter((d) => walk.down.has(d) && isUp(walk.observed.units[d]));
      if (blockers.length > 0) {
        const what = verdict.kind === 'act' && own ? `${verdict.action.type} (${verdict.action.reason})` : 'stop';
        holds.push({ unit: name, reason: 'stopping-dependents', on: blockers, message: `${what} waits until ${blockers.join(', ')} stopped`, terminal: false });
      } else if (verdict.kind === 'act' && own) {
        actions.push(verdict.action);
      } else if (going.cause) {
        actions.push({ type: 'stop', unit: name, reason: `needs ${going.cause}, which ${going.kind === 'stop' ? 'stops' : 'restarts'}` });
      }
      continue;
    }
    if (verdict.kind === 'act') actions.push(verdict.action);
    if (verdict.kind === 'hold') holds.push(verdict.hold);
  }
  return { actions, holds, recheckAt: walk.recheckAt };
};

/** Plans one reconcile pass: the actions eligible now, a hold for every node that waits, and when to look again. */
export const plan = (desired: DesiredModel, observed: ObservedState, now: number): Plan => {
  const walk: Walk = {
    desired,
    observed,
    now,
    graph: buildPlanGraph(desired, observed),
    states: new Map(),
    verdicts: new Map(),
    down: new Map(),
    recheckAt: null,
  };
  for (const name of walk.graph.order) {
    if (walk.graph.isOverlay(name)) {
      const { verdict, state } = decideOverlay(walk, name);
      walk.verdicts.set(name, verdict);
      walk.states.set(name, state);
      continue;
    }
    const verdict = decideUnit(walk, name);
    const own = ownDown(verdict);
    const inherited = inheritedDown(walk, name);
    const kind = own === 'stop' || inherited?.kind === 'stop' ? 'stop' : (own ?? inherited?.kind ?? null);
    if (kind) walk.down.set(name, { kind, cause: own ? null : (inherited?.cause ?? null) });
    walk.verdicts.set(name, verdict);
    walk.states.set(name, unitNeedState(walk, name, verdict));
  }
  return emit(walk);
};
