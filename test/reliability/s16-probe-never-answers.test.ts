// S16 HTTP probe to a server that never answers, and a TCP probe into a dropped port (reliability-anchors.md §2.E;
// kubernetes#94115, #110070). HTTP: a server that accepts and never answers, health_check interval_ms 1000,
// timeout_ms 2000. TCP: `health_port` behind `iptables -I INPUT -i lo -p tcp --dport Q -j DROP` (sbx's TCP readiness
// probe has a fixed 1 s timeout and 1 s interval, src/engine/health-schedule.ts).
// Pass: at every 100 ms sample each unit has at most 1 in-flight probe (the daemon's ESTABLISHED and SYN-SENT
// sockets to the port, from /proc/net/tcp and the daemon's fds); each probe fails at its timeout ± 0.2 s (HTTP: the
// server's record of each connection's lifetime; TCP: how long each SYN-SENT socket was seen, bracketed by the samples
// around it: at least last-seen − first-seen, at most next-sample − previous-sample, so a slow sampling loop on a busy
// machine widens the bracket instead of faking a short probe); the daemon's fds stay
// within ±5; once the server answers / the rule is removed, the unit turns healthy within interval + timeout (timed
// by the daemon's own ready event; 50 ms allowed for the successful probe's round trip and the event's delivery).
// Scaled: 30 s of probing instead of 10 min (about 10 HTTP and 15 TCP probes; the bounds are per probe).

import { execFileSync } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { setInterval } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { figure, fixture, freePort, RelProject } from './harness/rel-project.js';

const WINDOW_MS = 30_000;
let project: RelProject | null = null;
let dropped: number | null = null;
const iptables = (action: '-I' | '-D', port: number): void => {
  execFileSync('iptables', [action, 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', String(port), '-j', 'DROP']);
};
afterEach(async () => {
  if (dropped !== null) iptables('-D', dropped);
  dropped = null;
  const survivors = await project?.teardown();
  project = null;
  expect(survivors ?? 0).toBe(0);
});

/** The daemon's sockets to `port` by state ('01' established, '02' SYN-SENT), keyed by inode. */
const probeSockets = async (daemon: number, port: number): Promise<Map<string, string>> => {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${daemon}/fd`).catch(() => [])) {
    const link = await readlink(`/proc/${daemon}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  const found = new Map<string, string>();
  for (const line of (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const remotePort = parseInt(f[2]!.split(':')[1]!, 16);
    if (remotePort === port && (f[3] === '01' || f[3] === '02') && inodes.has(f[9]!)) found.set(f[9]!, f[3]!);
  }
  return found;
};

describe('S16 probes into a server that never answers', () => {
  it('one probe in flight, each ends at its timeout, fds flat, healthy within interval + timeout once it answers', async () => {
    project = await RelProject.create('s16');
    const httpPort = await freePort();
    const tcpPort = await freePort();
    iptables('-I', tcpPort);
    dropped = tcpPort;
    await project.manifest([
      'services:',
      `  hang: { cmd: node, args: [${fixture('hang-server.mjs')}], port: ${httpPort}, env: { UNIT: hang }, health_check: { path: /, interval_ms: 1000, timeout_ms: 2000, delay_ms: 0 } }`,
      `  drop: { cmd: node, args: [${fixture('listen.mjs')}], port: ${tcpPort}, health_port: ${tcpPort} }`,
    ]);
    await project.sbx(['apply', '--timeout', '2s']);
    const client = await project.client();
    const daemon = await project.daemonPid();
    const fd0 = (await readdir(`/proc/${daemon}/fd`)).length;
    let maxHttp = 0;
    let maxTcp = 0;
    // Sample times, and for each SYN-SENT socket the first and last sample (by index) that saw it.
    const samples: number[] = [];
    const synSeen = new Map<string, [number, number]>();
    const t0 = performance.now();
    for await (const _ of setInterval(100)) {
      if (performance.now() - t0 >= WINDOW_MS) break;
      const http = await probeSockets(daemon, httpPort);
      const tcp = await probeSockets(daemon, tcpPort);
      maxHttp = Math.max(maxHttp, http.size);
      maxTcp = Math.max(maxTcp, tcp.size);
      const index = samples.push(performance.now()) - 1;
      for (const [inode, state] of tcp) if (state === '02') synSeen.set(inode, [synSeen.get(inode)?.[0] ?? index, index]);
    }
    const fd1 = (await readdir(`/proc/${daemon}/fd`)).length;
    const units = Object.fromEntries((await client.status()).units.map((u) => [u.name, u]));
    const httpLifetimes = (await project.recordLines('hang.conns')).map((l) => Number(l.split(' ')[1]) / 1000);
    // A lifetime lies between (last - first) and (next sample - previous sample); sockets seen in the first or the last
    // sample may have lived outside the window and are left out.
    const tcpBrackets = [...synSeen.values()]
      .filter(([first, last]) => first > 0 && last < samples.length - 1)
      .map(([first, last]) => [(samples[last]! - samples[first]!) / 1000, (samples[last + 1]! - samples[first - 1]!) / 1000] as const);
    const tcpLifetimes = tcpBrackets.map(([low, high]) => (low + high) / 2);
    const widest = Math.max(0, ...tcpBrackets.map(([low, high]) => high - low));

    // Recovery is timed by the daemon's own event (when the unit turned ready), not by our polling.
    const events = await client.events();
    const readyAt = new Map<string, number>();
    const reading = (async () => {
      for await (const event of events) if (event.type === 'unit-phase' && event.phase === 'ready') readyAt.set(event.unit, event.at);
    })().catch(() => undefined);
    const recoverFrom = Date.now();
    process.kill(units.hang!.pid!, 'SIGUSR1');
    await eventually(() => readyAt.has('hang'), { timeoutMs: 10_000, intervalMs: 20, message: 'hang ready' });
    const httpHealthyMs = readyAt.get('hang')! - recoverFrom;
    const dropFrom = Date.now();
    iptables('-D', tcpPort);
    dropped = null;
    await eventually(() => readyAt.has('drop'), { timeoutMs: 10_000, intervalMs: 20, message: 'drop ready' });
    const tcpHealthyMs = readyAt.get('drop')! - dropFrom;
    events.close();
    await reading;

    const range = (xs: number[]) => (xs.length ? `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)} s` : 'none');
    figure(
      `S16 never-answering probes (${WINDOW_MS / 1000} s): max in flight HTTP ${maxHttp}, TCP ${maxTcp}; ${httpLifetimes.length} HTTP probes lasted ${range(httpLifetimes)} (timeout 2 s), ` +
        `${tcpLifetimes.length} TCP probes ${range(tcpLifetimes)} (timeout 1 s; widest sampling bracket ${widest.toFixed(2)} s); daemon fds ${fd0} -> ${fd1}; healthy ${Math.round(httpHealthyMs)} ms after the server answered (bound 3000), ` +
        `${Math.round(tcpHealthyMs)} ms after the DROP rule went (bound 2000) (pass: <= 1 in flight, timeout +-0.2 s, fds +-5, healthy within interval+timeout)`,
    );
    expect(units.hang!.phase).not.toBe('ready');
    expect(units.drop!.phase).not.toBe('ready');
    expect(maxHttp).toBeLessThanOrEqual(1);
    expect(maxTcp).toBeLessThanOrEqual(1);
    expect(httpLifetimes.length).toBeGreaterThanOrEqual(8);
    for (const t of httpLifetimes) expect(Math.abs(t - 2)).toBeLessThanOrEqual(0.2);
    expect(tcpLifetimes.length).toBeGreaterThanOrEqual(8);
    // Each bracket must reach into 1 ± 0.2 s: a probe that surely ended before 0.8 s or surely lasted past 1.2 s fails.
    for (const [low, high] of tcpBrackets) {
      expect(low).toBeLessThanOrEqual(1.2);
      expect(high).toBeGreaterThanOrEqual(0.8);
    }
    expect(Math.abs(fd1 - fd0)).toBeLessThanOrEqual(5);
    // interval + timeout, plus 50 ms for the successful probe's own round trip and the event's delivery.
    expect(httpHealthyMs).toBeLessThanOrEqual(3000 + 50);
    expect(tcpHealthyMs).toBeLessThanOrEqual(2000 + 50);
  }, 180_000);
});
