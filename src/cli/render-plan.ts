// The plan `sbx diff` and `apply --dry-run` print: one line per action with its field-level reason, then the holds.

import type { Action, Hold, Plan } from '../engine/types.js';
import { createStyle, type Style, type StyleFormat } from './style.js';

/** Options for {@link renderPlan}. */
export interface RenderPlanOptions {
  color: boolean;
  /**
   * Secret values that must never be shown: any occurrence in a reason becomes `***`. The planner's reasons name
   * variables, not values; this is the second lock. Values shorter than 3 characters are not masked (too common).
   */
  redact?: readonly string[];
}

const MIN_REDACTED_LENGTH = 3;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Sigil, verb and colour of each action type, in the order the summary counts them. */
const ACTION_LOOK: Record<Action['type'], { sigil: string; verb: string; format: StyleFormat; summary: (count: number) => string }> = {
  start: { sigil: '+', verb: 'start', format: 'green', summary: (n) => `${n} to start` },
  restart: { sigil: '~', verb: 'restart', format: 'yellow', summary: (n) => `${n} to restart` },
  update: { sigil: '=', verb: 'update', format: 'cyan', summary: (n) => `${n} to update in place` },
  'sync-overlay': { sigil: '~', verb: 'sync overlay', format: 'yellow', summary: (n) => `${plural(n, 'overlay')} to sync` },
  stop: { sigil: '-', verb: 'stop', format: 'red', summary: (n) => `${n} to stop` },
  delete: { sigil: '-', verb: 'delete', format: 'red', summary: (n) => `${n} to delete` },
};

/** Replaces every secret value in text with `***`, longest first so overlapping secrets are fully hidden. */
export const redactSecrets = (text: string, secrets: readonly string[] = []): string =>
  [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length)
    .reduce((masked, secret) => masked.split(secret).join('***'), text);

const actionTarget = (action: Action): string => (action.type === 'sync-overlay' ? action.overlay : action.unit);

/** `~ restart api: env DB_URL changed (.env.local:3)`. */
const renderAction = (action: Action, style: Style, secrets: readonly string[]): string => {
  const look = ACTION_LOOK[action.type];
  const head = style.paint(look.format, `${look.sigil} ${look.verb}`);
  const name = style.paint('bold', actionTarget(action));
  const reason = redactSecrets(action.reason, secrets);
  return reason === '' ? `${head} ${name}` : `${head} ${name}: ${reason}`;
};

/** What a hold waits on, or its message when it waits on nothing named. */
export const describeHold = (hold: Hold): string => (hold.on.length > 0 ? hold.on.join(', ') : hold.message);

/** `· web waiting-for-needs: api`. */
const renderHold = (hold: Hold, style: Style, secrets: readonly string[]): string => {
  const subject = hold.kind === 'overlay' ? `overlay ${hold.unit}` : hold.unit;
  const detail = redactSecrets(describeHold(hold), secrets);
  const head = `${style.paint('dim', '·')} ${style.paint('bold', subject)} ${style.paint('dim', hold.reason)}`;
  return detail === '' ? head : `${head}${style.paint('dim', ':')} ${detail}`;
};

/** `2 to start, 1 to restart; 1 unit held`. */
const renderPlanSummary = (plan: Plan): string => {
  const counts = (Object.keys(ACTION_LOOK) as Action['type'][])
    .map((type) => ({ type, count: plan.actions.filter((action) => action.type === type).length }))
    .filter(({ count }) => count > 0)
    .map(({ type, count }) => ACTION_LOOK[type].summary(count));
  const held = plan.holds.length > 0 ? `${plural(plan.holds.length, 'unit')} held` : '';
  if (counts.length === 0) return `no changes now; ${held}`;
  return held === '' ? counts.join(', ') : `${counts.join(', ')}; ${held}`;
};

/** Renders a plan for humans; `in sync: nothing to do` when there is nothing to do and nothing waiting. */
export const renderPlan = (plan: Plan, { color, redact = [] }: RenderPlanOptions): string => {
  const style = createStyle(color);
  if (plan.actions.length === 0 && plan.holds.length === 0) return `${style.paint('green', 'in sync')}: nothing to do\n`;
  const lines = [
    ...plan.actions.map((action) => renderAction(action, style, redact)),
    ...plan.holds.map((hold) => renderHold(hold, style, redact)),
    '',
    style.paint('bold', renderPlanSummary(plan)),
  ];
  return `${lines.join('\n')}\n`;
};
