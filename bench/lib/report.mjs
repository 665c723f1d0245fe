// Turns the raw results into one markdown table per workload, with median (min–max) and the ratio sbx ÷ peer.
// Why: the tables are printed as they go into the README's performance section.

import { summarize } from './timing.mjs';

/** Why: milliseconds as people read them (one decimal below 10 ms). */
export const fmtMs = (v) => (v === null || v === undefined ? '–' : v < 10 ? v.toFixed(1) : Math.round(v).toString());
const fmt1 = (v) => (v === null || v === undefined ? '–' : v.toFixed(1));
const fmt2 = (v) => (v === null || v === undefined ? '–' : v.toFixed(2));

/** Why: "median (min–max)" of a list, or "–" when there is nothing. */
export function cell(values, f = fmtMs) {
  const s = summarize(values);
  if (s === null) return '–';
  return s.n === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** Why: sbx ÷ peer on medians: below 1× sbx is faster (or smaller). */
export function ratio(sbxValues, peerValues) {
  const a = summarize(sbxValues);
  const b = summarize(peerValues);
  if (a === null || b === null || b.median === 0) return null;
  const r = a.median / b.median;
  if (r === 0) return '0×';
  return `${r < 0.1 ? r.toPrecision(2) : r.toFixed(2)}×`;
}

const row = (cells) => `| ${cells.join(' | ')} |`;
const header = (cols) => [row(cols), row(cols.map(() => '---'))];

/** Why: one table row: sbx's cell, then each peer's cell with its ratio. */
function compareRow(label, peers, valuesOf, f = fmtMs) {
  const sbxValues = valuesOf('sbx');
  return row([
    label,
    ...peers.map((p) => {
      const values = valuesOf(p);
      if (values === null) return 'n/a';
      const c = cell(values, f);
      const r = p === 'sbx' ? null : ratio(sbxValues ?? [], values);
      return r && c !== '–' ? `${c} · ${r}` : c;
    }),
  ]);
}

const pick = (entries, where, field) => entries.filter(where).map(field);

/** Why: the whole report, table by table, plus one summary line per comparison in the brief's format. */
export function renderReport(results) {
  const { peers, ns, runs } = results.meta.options;
  const cols = ['', ...peers];
  const out = [];
  const all = [...results.cold, ...results.tree, ...results.steady];
  const failures = all.filter((e) => e.error || e.stop?.notFinished);
  const what = (e) => [e.peer, e.variant, e.workload, `N=${e.n}`, e.run !== undefined ? `run ${e.run + 1}` : null].filter(Boolean).join(' ');
  const cold = results.cold.filter((e) => e.variant === 'independent');
  const chain = results.cold.filter((e) => e.variant === 'chain');

  out.push(`### 1. Cold start: start command → all N \`sleep 3600\` alive, ms (median (min–max) of ${runs} runs; × = sbx ÷ peer)`, '');
  out.push(...header(['N', ...peers]));
  for (const n of ns) out.push(compareRow(`N=${n}`, peers, (p) => pick(cold, (e) => e.peer === p && e.n === n, (e) => e.upMs)));
  out.push('');
  out.push('Start command → the first of the N units alive (the fixed cost: CLI, daemon start-up), ms:', '');
  out.push(...header(['N', ...peers]));
  for (const n of ns) out.push(compareRow(`N=${n}`, peers, (p) => pick(cold, (e) => e.peer === p && e.n === n, (e) => e.firstMs)));
  out.push('');

  if (peers.includes('sbx')) {
    out.push('### 2. Cold start as a dependency chain (unit i needs unit i-1), ms', '');
    out.push(...header(['N', 'sbx (chain)', 'sbx (independent)', ...peers.filter((p) => p !== 'sbx')]));
    for (const n of ns) {
      out.push(
        row([
          `N=${n}`,
          cell(pick(chain, (e) => e.n === n, (e) => e.upMs)),
          cell(pick(cold, (e) => e.peer === 'sbx' && e.n === n, (e) => e.upMs)),
          ...peers.filter((p) => p !== 'sbx').map(() => 'n/a (no dependency ordering)'),
        ]),
      );
    }
    out.push('');
    out.push('### 3. No-op apply (the same manifest again) to N running units, sbx only, ms', '');
    out.push(...header(['N', '`sbx apply` again', 'new processes', 'CLI floor: `node dist/cli/bin.js --version`']));
    const floor = cell(results.cliFloor);
    for (const n of ns) {
      const noops = pick(cold, (e) => e.peer === 'sbx' && e.n === n && e.noop, (e) => e.noop);
      out.push(row([`N=${n}`, cell(noops.map((x) => x.ms)), String(noops.reduce((s, x) => s + x.newProcesses, 0)), floor]));
    }
    out.push('');
  }

  const steady = results.steady;
  if (steady.length > 0) {
    const sn = steady[0].n;
    const kills = steady[0].restarts.length;
    out.push(`### 4. Restart after SIGKILL of one unit (${kills} different units, N=${sn}), ms until a new live process with its tag`, '');
    out.push(...header(cols));
    const restarts = (p) => steady.find((e) => e.peer === p)?.restarts ?? [];
    out.push(compareRow('restart latency', peers, (p) => restarts(p).map((r) => r.ms)));
    out.push(row(['restarted', ...peers.map((p) => `${restarts(p).filter((r) => r.ms !== null).length}/${restarts(p).length}`)]));
    out.push('');
    out.push(`### 5. The supervisor itself with N=${sn} units (idle CPU: ticks over ${results.meta.options.idle} s windows, % of one core)`, '');
    out.push(...header(cols));
    const mem = (p, k) => {
      const m = steady.find((e) => e.peer === p)?.memory;
      return m ? [m[k]] : [];
    };
    out.push(compareRow('RSS, MiB', peers, (p) => mem(p, 'rssMiB'), fmt1));
    out.push(compareRow('PSS, MiB', peers, (p) => mem(p, 'pssMiB'), fmt1));
    out.push(row(['processes', ...peers.map((p) => String(mem(p, 'processes')[0] ?? '–'))]));
    out.push(compareRow('idle CPU, %', peers, (p) => steady.find((e) => e.peer === p)?.idle ?? [], fmt2));
    const memAt = (p, n, k) => pick(cold, (e) => e.peer === p && e.n === n && e.memory, (e) => e.memory[k]);
    for (const n of ns) out.push(compareRow(`after cold start N=${n}: PSS, MiB`, peers, (p) => memAt(p, n, 'pssMiB'), fmt1));
    for (const n of ns) out.push(compareRow(`after cold start N=${n}: RSS, MiB`, peers, (p) => memAt(p, n, 'rssMiB'), fmt1));
    out.push('');
  }

  const tree = results.tree;
  if (tree.length > 0) {
    const tn = tree[0].n;
    out.push(`### 6. Stop of N=${tn} units whose process leaves a grandchild (\`sh -c 'sleep 3600 & wait'\`)`, '');
    out.push(...header(cols));
    const of = (p) => tree.filter((e) => e.peer === p && e.stop);
    out.push(compareRow('stop (command returned, children gone, supervisor exited), ms', peers, (p) => of(p).map((e) => e.stop.stopMs)));
    out.push(compareRow('children gone, ms', peers, (p) => of(p).map((e) => e.stop.childrenGoneMs)));
    out.push(row(['not finished (timeout / stalled)', ...peers.map((p) => `${of(p).filter((e) => e.stop.notFinished).length}/${of(p).length}`)]));
    out.push(
      row([
        'left after stop: children / grandchildren (per run)',
        ...peers.map((p) => of(p).map((e) => `${e.stop.left.children}/${e.stop.left.grandchildren}`).join(', ') || '–'),
      ]),
    );
    out.push('');
  }

  out.push('### 7. Stop of N plain `sleep` units (from the cold-start runs), ms; processes left after it', '');
  out.push(...header(['N', ...peers]));
  for (const n of ns) out.push(compareRow(`N=${n}`, peers, (p) => pick(cold, (e) => e.peer === p && e.n === n && e.stop, (e) => e.stop.stopMs)));
  out.push(
    row([
      'left (all runs)',
      ...peers.map((p) => String(pick(cold, (e) => e.peer === p && e.stop, (e) => e.stop.left.children + e.stop.left.grandchildren + e.stop.left.other).reduce((a, b) => a + b, 0))),
    ]),
  );
  out.push('');

  out.push('### Summary (medians; × = sbx ÷ peer)', '');
  const line = (label, valuesOf, unit, f = fmtMs) => {
    const s = summarize(valuesOf('sbx') ?? []);
    const parts = peers.includes('sbx') ? [`sbx ${s ? f(s.median) : '–'} ${unit}`] : [];
    for (const p of peers.filter((x) => x !== 'sbx')) {
      const v = valuesOf(p);
      const ps = v === null ? null : summarize(v);
      const r = v === null ? null : ratio(valuesOf('sbx') ?? [], v);
      parts.push(v === null ? `${p} n/a` : `${p} ${ps ? f(ps.median) : '–'} ${unit}${r ? ` (${r})` : ''}`);
    }
    out.push(`- ${label}: ${parts.join(' | ')}`);
  };
  for (const n of ns) line(`cold start N=${n}`, (p) => pick(cold, (e) => e.peer === p && e.n === n, (e) => e.upMs), 'ms');
  if (peers.includes('sbx')) for (const n of ns) line(`chain N=${n}`, (p) => (p === 'sbx' ? pick(chain, (e) => e.n === n, (e) => e.upMs) : null), 'ms');
  if (steady.length > 0) {
    line('restart after kill', (p) => (steady.find((e) => e.peer === p)?.restarts ?? []).map((r) => r.ms), 'ms');
    line(`supervisor PSS N=${steady[0].n}`, (p) => [steady.find((e) => e.peer === p)?.memory?.pssMiB].filter((x) => x !== undefined), 'MiB', fmt1);
    line(`idle CPU N=${steady[0].n}`, (p) => steady.find((e) => e.peer === p)?.idle ?? [], '%', fmt2);
  }
  if (tree.length > 0) line(`stop N=${tree[0].n} with grandchildren`, (p) => pick(tree, (e) => e.peer === p && e.stop, (e) => e.stop.stopMs), 'ms');
  out.push('');

  if (failures.length > 0) {
    out.push('### Failures', '');
    for (const f of failures) {
      const stop = f.stop?.notFinished
        ? `stop ${f.stop.notFinished} (stop command ${f.stop.stopCmd ? `exited ${f.stop.stopCmd.code} after ${fmtMs(f.stop.stopCmd.ms)} ms` : 'still running'})`
        : null;
      const kept = f.keptDir ? ` [kept: ${f.keptDir}]` : '';
      out.push(`- ${what(f)}: ${[f.error, stop].filter(Boolean).join('; ')}${kept}`);
    }
    out.push('');
  }
  const leftovers = all.filter(
    (e) => e.cleanup && (e.cleanup.workload.length > 0 || e.cleanup.supervisors.length > 0),
  );
  if (leftovers.length > 0) {
    out.push('### Killed by the harness after a step (left behind by the peer)', '');
    for (const e of leftovers) {
      const comms = (xs) => Object.entries(xs.reduce((m, x) => ({ ...m, [x.comm]: (m[x.comm] ?? 0) + 1 }), {})).map(([c, k]) => `${k} × ${c}`).join(', ');
      out.push(`- ${what(e)}: workload ${comms(e.cleanup.workload) || 'none'}; supervisor ${comms(e.cleanup.supervisors) || 'none'}`);
    }
    out.push('');
  }
  return out.join('\n');
}
