// S24 Checkpoint and restore (reliability-anchors.md §2.G). Take 20 units, 12 of them running, and `checkpoint create
// c1`. Change the manifest, stop some units, then `restore c1`. Pass: exactly the recorded units run with the recorded
// spec hashes (fingerprints); started_services, stopped_services and failed_services match the diff; a restore that
// fails halfway (inject a failing unit) reports it in failed_services and leaves the others converged.
// Everything goes through the real daemon and CLI (apply, stop/start, status --json, checkpoint create/restore --json).
// The expected lists are computed from the states before the restore (status --json for what runs, a checkpoint of
// the changed state for its fingerprints), not written down. After the restore the fingerprints are the ones the
// daemon's state file gives the running processes, the sleep units' argv is read from /proc, and the census counts
// the processes. The failing unit (u00) has an HTTP health check and exits 1 at start while a flag file exists; u01
// needs it, so the failure lands halfway through the dependency graph.
// Scaled: nothing (20 units; the units are `sleep` and one tiny node server, so the run stays short).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointView, RestoreResult, UnitStatusView } from '../../src/daemon/api-types.js';
import { figure, fixture, freePort, RelProject } from './harness/rel-project.js';

const NAMES = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, '0')}`);
const LIVE = new Set(['installing', 'starting', 'running', 'ready']);

let project: RelProject | null = null;
afterEach(async () => {
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

/** u00: the gate (HTTP health check, fails at start while the flag exists); u01 needs it; the rest are `sleep ARG`. */
const unitLine = (name: string, arg: number, port: number, flag: string): string =>
  name === 'u00'
    ? `  u00: { cmd: /bin/sh, args: [${fixture('fail-if-flag.sh')}, ${process.execPath}, ${fixture('idle-unit.mjs')}], port: ${port}, ` +
      `env: { FAIL_FLAG: "${flag}" }, health_check: { path: /, interval_ms: 100, timeout_ms: 1000, delay_ms: 0 }, stop_timeout_ms: 3000 }`
    : `  ${name}: { cmd: sleep, args: ["${arg}"], stop_timeout_ms: 3000${name === 'u01' ? ', needs: [u00]' : ''} }`;

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('S24 checkpoint and restore', () => {
  it('restore converges to exactly the recorded units and fingerprints with exact lists; an injected failure is reported, the rest converge', async () => {
    project = await RelProject.create('s24');
    const p = project;
    const port = await freePort();
    const flag = p.path('fail.flag');
    const v1Arg = (i: number): number => 100_000 + i;
    await p.manifest(['services:', ...NAMES.map((n, i) => unitLine(n, v1Arg(i), port, flag))]);
    await p.sbxOk(['apply', '--timeout', '60s'], { timeoutMs: 90_000 });
    await p.sbxOk(['stop', ...NAMES.slice(12)]);

    const status = async (): Promise<UnitStatusView[]> => (JSON.parse((await p.sbxOk(['status', '--json'])).stdout) as { units: UnitStatusView[] }).units;
    const running = (units: UnitStatusView[]): string[] => sorted(units.filter((u) => LIVE.has(u.phase)).map((u) => u.name));
    const pids = (units: UnitStatusView[]): Record<string, number | null> => Object.fromEntries(units.map((u) => [u.name, u.pid]));
    const checkpoint = async (name: string): Promise<CheckpointView> => JSON.parse((await p.sbxOk(['checkpoint', 'create', name, '--json'])).stdout) as CheckpointView;
    const restore = async () => {
      const began = performance.now();
      const cli = await p.sbx(['checkpoint', 'restore', 'c1', '--json', '--timeout', '60s'], { timeoutMs: 90_000 });
      return { exitCode: cli.exitCode, ms: Math.round(performance.now() - began), result: JSON.parse(cli.stdout) as RestoreResult };
    };
    /** The restore answer the diff implies: `failing` are recorded-running units expected to fail (not ready). */
    const expectedLists = (before: UnitStatusView[], fingerprints: Record<string, string>, failing: string[]): RestoreResult => {
      const live = new Set(running(before));
      const run = recorded.filter((n) => !failing.includes(n));
      const inCheckpoint = new Set(c1.units.map((u) => u.name));
      return {
        started_services: run.filter((n) => !live.has(n)),
        stopped_services: sorted([...live].filter((n) => !recorded.includes(n))),
        failed_services: sorted(failing),
        failures: Object.fromEntries(failing.map((n) => [n, expect.any(String)])) as Record<string, string>,
        restarted_services: run.filter((n) => live.has(n) && fingerprints[n] !== recordedFp[n]),
        unchanged_services: run.filter((n) => live.has(n) && fingerprints[n] === recordedFp[n]),
        deleted_services: sorted(before.map((u) => u.name).filter((n) => !inCheckpoint.has(n))),
        timed_out: false,
      };
    };
    /** The fingerprint of each running unit's process (the daemon's state file, written before a restore answers). */
    const runFingerprints = async (): Promise<Record<string, string>> => {
      const state = JSON.parse(await readFile(join(p.stateDir, 'state.json'), 'utf8')) as { observed: { units: Record<string, { fingerprint: string }> } };
      return Object.fromEntries(Object.entries(state.observed.units).map(([n, u]) => [n, u.fingerprint]));
    };
    const argvOf = async (pid: number | null): Promise<string[]> => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');

    // The checkpoint: 20 units, 12 running.
    const c1 = await checkpoint('c1');
    const atCheckpoint = await status();
    const recorded = sorted(c1.units.filter((u) => u.running).map((u) => u.name));
    const recordedFp = Object.fromEntries(c1.units.map((u) => [u.name, u.fingerprint]));
    expect(c1.units).toHaveLength(20);
    expect(recorded).toEqual(NAMES.slice(0, 12));
    expect(running(atCheckpoint)).toEqual(recorded);

    // Change: u02, u03 (running) and u12 (stopped) get new args; u11 (running) and u19 (stopped) dropped; x1 added.
    // Apply starts every declared unit; then stop u04, u05, u13, u14 and start u05 again.
    const v2Arg = (i: number): number => ([2, 3, 12].includes(i) ? 200_000 + i : v1Arg(i));
    await p.manifest(['services:', ...NAMES.flatMap((n, i) => (i === 11 || i === 19 ? [] : [unitLine(n, v2Arg(i), port, flag)])), '  x1: { cmd: sleep, args: ["300001"] }']);
    await p.sbxOk(['apply', '--timeout', '60s'], { timeoutMs: 90_000 });
    await p.sbxOk(['stop', 'u04', 'u05', 'u13', 'u14']);
    await p.sbxOk(['start', 'u05']);
    const before1 = await status();
    const changedFp = Object.fromEntries((await checkpoint('before1')).units.map((u) => [u.name, u.fingerprint]));
    const expected1 = expectedLists(before1, changedFp, []);
    // The change touches every list (otherwise the comparison below would prove little).
    for (const list of ['started_services', 'stopped_services', 'restarted_services', 'unchanged_services', 'deleted_services'] as const) {
      expect(expected1[list], list).not.toEqual([]);
    }

    const first = await restore();
    const after1 = await status();
    const fp1 = await runFingerprints();
    const wrongFp1 = recorded.filter((n) => fp1[n] !== recordedFp[n]);
    const wrongArgv1: string[] = [];
    for (const n of recorded.slice(1)) {
      if ((await argvOf(pids(after1)[n]!)).join(' ') !== `sleep ${v1Arg(NAMES.indexOf(n))}`) wrongArgv1.push(n);
    }
    const keptPid = (names: string[]) => names.filter((n) => pids(after1)[n] === pids(before1)[n]);
    const processes1 = p.censusPids().length;

    // Halfway failure: stop u00 (u01, its dependent, stops with it), stop u06, start u12; the flag makes u00 fail.
    await p.sbxOk(['stop', 'u00', 'u06']);
    await p.sbxOk(['start', 'u12']);
    await p.write('fail.flag', 'fail\n');
    const before2 = await status();
    const fingerprints2 = Object.fromEntries((await checkpoint('before2')).units.map((u) => [u.name, u.fingerprint]));
    const expected2 = expectedLists(before2, fingerprints2, ['u00', 'u01']);
    const second = await restore();
    const after2 = await status();
    const fp2 = await runFingerprints();
    const converged = recorded.filter((n) => !['u00', 'u01'].includes(n));
    const wrongFp2 = converged.filter((n) => fp2[n] !== recordedFp[n]);
    const processes2 = p.censusPids().length;
    const phase2 = Object.fromEntries(after2.map((u) => [u.name, u.phase]));

    const list = (r: RestoreResult) =>
      `started [${r.started_services.join(' ')}] stopped [${r.stopped_services.join(' ')}] failed [${r.failed_services.join(' ')}] restarted [${r.restarted_services.join(' ')}]`;
    figure(
      `S24 checkpoint/restore: 20 units, ${recorded.length} recorded running; restore 1 (${first.ms} ms, exit ${first.exitCode}): ${list(first.result)}, ` +
        `${running(after1).length} run after (${processes1} processes), ${wrongFp1.length} with another fingerprint, ${wrongArgv1.length} with another argv; ` +
        `restore 2 with u00 failing (${second.ms} ms, exit ${second.exitCode}): ${list(second.result)}, ${converged.length - wrongFp2.length}/${converged.length} others ` +
        `converged (${processes2} processes) (pass: exactly the 12 recorded units with their fingerprints, lists = the diff, u00 + dependent u01 failed, the other 10 converged)`,
    );
    expect(first.exitCode).toBe(0);
    expect(first.result).toEqual(expected1);
    expect(running(after1)).toEqual(recorded);
    expect(wrongFp1).toEqual([]);
    expect(wrongArgv1).toEqual([]);
    expect(processes1).toBe(recorded.length);
    expect(keptPid(expected1.unchanged_services)).toEqual(expected1.unchanged_services);
    expect(keptPid(expected1.restarted_services)).toEqual([]);
    expect(after1.map((u) => u.name).sort()).toEqual(NAMES);

    expect(second.exitCode).toBe(1);
    expect(second.result).toEqual(expected2);
    expect(second.result.failures['u00']).toMatch(/exited with code 1/);
    expect(second.result.failures['u01']).toMatch(/u00/);
    expect(phase2['u00']).toBe('failed');
    expect(running(after2)).toEqual(converged);
    // u01 stays down, held on u00; units recorded as stopped are down (u19, recreated by the restore, never ran: pending).
    expect(phase2).toMatchObject({ u00: 'failed', u01: 'stopped', ...Object.fromEntries(converged.map((n) => [n, 'ready'])) });
    expect(after2.find((u) => u.name === 'u01')?.hold?.on).toEqual(['u00']);
    expect(NAMES.filter((n) => !recorded.includes(n) && !['stopped', 'pending'].includes(phase2[n]!))).toEqual([]);
    expect(wrongFp2).toEqual([]);
    expect(processes2).toBe(converged.length);
  }, 300_000);
});
