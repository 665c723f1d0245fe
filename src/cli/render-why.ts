// `sbx why UNIT`: why a unit is not ready — its hold, the chains of blockers behind it, their last exit and log lines.

import type { ExitRecord, Hold } from '../engine/types.js';
import { describeExit } from '../engine/restart-policy.js';
import { formatAge } from './format-time.js';
import { describeHold } from './render-plan.js';
import { statusFormat } from './render-status.js';
import { createStyle, type Style } from './style.js';

/** What `why` needs to know of one unit or overlay; plain data the command gathers from the daemon. */
export interface WhyNode {
  name: string;
  kind?: 'unit' | 'overlay';
  /** Phase (units) or copy status (overlays); null when never observed. */
  status: string | null;
  hold: Hold | null;
  last_error: string | null;
  last_exit: ExitRecord | null;
  /** When it became ready (for "ready for 5m"). */
  ready_at?: number | null;
}

/** Everything renderWhy reads. */
export interface WhyInput {
  unit: string;
  /** Every unit and overlay, by name (at least those along the chains). */
  nodes: Record<string, WhyNode>;
  /** Last log lines by unit name, for the unit and the ends of its chains (see findBlockerChains). */
  logs?: Record<string, readonly string[]>;
  now: number;
}

const MAX_CHAINS = 10;

/**
 * Every path from unit along its holds' `on` lists to something that is not waiting on anything named (the root
 * causes), e.g. [['web', 'api', 'db']]. A cycle ends its path at the repeated name. Empty when nothing holds it.
 */
export const findBlockerChains = (unit: string, nodes: Readonly<Record<string, WhyNode>>): string[][] => {
  const chains: string[][] = [];
  const walk = (path: string[]): void => {
    if (chains.length >= MAX_CHAINS) return;
    const name = path[path.length - 1] ?? unit;
    const on = nodes[name]?.hold?.on ?? [];
    if (on.length === 0 || path.indexOf(name) !== path.length - 1) {
      if (path.length > 1) chains.push(path);
      return;
    }
    for (const next of on) walk([...path, next]);
  };
  walk([unit]);
  return chains;
};

/** `failed: exited with code 1`, `pending, waiting-for-needs: api`, `not defined`. */
const describeState = (node: WhyNode | undefined): string => {
  if (!node) return 'not defined';
  const status = node.kind === 'overlay' ? `overlay ${node.status ?? 'pending'}` : (node.status ?? 'pending');
  if (node.last_error && ['failed', 'backoff', 'stopped'].includes(node.status ?? '')) return `${status}: ${node.last_error}`;
  if (node.hold) {
    const detail = describeHold(node.hold);
    return detail === '' ? `${status}, ${node.hold.reason}` : `${status}, ${node.hold.reason}: ${detail}`;
  }
  return node.last_error ? `${status}: ${node.last_error}` : status;
};

const describeLastExit = (exit: ExitRecord, now: number): string => `${describeExit(exit)}, ${formatAge(now - exit.at)} ago`;

/** `web → api → db (failed: exited with code 1)`. */
const renderChain = (chain: readonly string[], nodes: Readonly<Record<string, WhyNode>>, style: Style): string => {
  const root = chain[chain.length - 1] ?? '';
  const cycle = chain.indexOf(root) !== chain.length - 1;
  const names = chain.map((name, index) => (index === chain.length - 1 ? style.paint('bold', name) : name)).join(' → ');
  const state = cycle ? 'dependency cycle' : describeState(nodes[root]);
  const painted = nodes[root]?.status === 'failed' || !nodes[root] || cycle ? style.paint('red', state) : style.paint('dim', state);
  return `${names} (${painted})`;
};

/** Renders the explanation; a ready unit gets one line. */
export const renderWhy = ({ unit, nodes, logs = {}, now }: WhyInput, { color }: { color: boolean }): string => {
  const style = createStyle(color);
  const node = nodes[unit];
  if (!node) return `${style.paint('red', '✖')} ${style.paint('bold', unit)} is not a unit of this project\n`;
  if (node.status === 'ready' || (node.kind === 'overlay' && node.status === 'complete')) {
    const since = node.ready_at != null ? ` for ${formatAge(now - node.ready_at)}` : '';
    return `${style.paint('green', '✔')} ${style.paint('bold', unit)} is ${style.paint('green', node.status)}${since}: nothing holds it\n`;
  }

  const lines: string[] = [];
  const icon = node.status === 'failed' ? style.paint('red', '✖') : style.paint('yellow', '·');
  const headline = describeState(node);
  lines.push(`${icon} ${style.paint('bold', unit)} is not ready: ${style.paint(statusFormat(node.status ?? 'pending'), headline)}`);

  const chains = findBlockerChains(unit, nodes);
  if (chains.length > 0) {
    lines.push('', 'blocked by:', ...chains.map((chain) => `  ${renderChain(chain, nodes, style)}`));
  }

  // The unit itself, then each root cause once: their last exit and the tail of their log.
  const subjects = [unit, ...chains.map((chain) => chain[chain.length - 1] ?? '')].filter(
    (name, index, all) => name !== '' && all.indexOf(name) === index && nodes[name]?.status !== 'ready',
  );
  for (const name of subjects) {
    const subject = nodes[name];
    const tail = logs[name] ?? [];
    if (subject?.last_exit) lines.push('', `last exit of ${style.paint('bold', name)}: ${describeLastExit(subject.last_exit, now)}`);
    if (tail.length > 0) {
      if (!subject?.last_exit) lines.push('');
      lines.push(`last ${tail.length === 1 ? 'line' : `${tail.length} lines`} of ${style.paint('bold', name)}'s log:`);
      lines.push(...tail.map((text) => `  ${style.paint('dim', '│')} ${text}`));
    }
  }
  return `${lines.join('\n')}\n`;
};
