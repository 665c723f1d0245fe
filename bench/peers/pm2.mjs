// pm2 as a bench peer: apps.json with one fork-mode app per unit, `pm2 start`, `pm2 kill`, PM2_HOME per run.
// Why: the most used Node process manager; installed on demand into bench/.peers (never a project dependency).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, runToEnd } from '../lib/launch.mjs';
import { readStat } from '../lib/proc.mjs';
import { resolveExecutable } from '../lib/workloads.mjs';
import { pollUntil } from '../lib/timing.mjs';

const PEERS = fileURLToPath(new URL('../.peers/', import.meta.url));
const PM2_PKG = join(PEERS, 'node_modules/pm2/package.json');
const PM2_BIN = join(PEERS, 'node_modules/pm2/bin/pm2');

const home = (run) => join(run.dir, 'pm2home');
const pm2 = (run, args, name) =>
  launch([process.execPath, PM2_BIN, ...args], {
    cwd: run.dir,
    env: { ...run.env, PM2_HOME: home(run) },
    logFile: join(run.dir, `${name}.log`),
  });

/** Why: the peer interface every adapter implements (see bench/run.mjs). */
export const pm2Peer = {
  name: 'pm2',
  chain: false,
  startReturns: true,

  /** Why: install pm2 7 into bench/.peers on first use; its version is read from its package.json (running pm2 would spawn a daemon). */
  async ensure(log) {
    let installed = null;
    if (!existsSync(PM2_PKG)) {
      const argv = ['npm', 'install', '--prefix', PEERS, 'pm2@7', '--no-audit', '--no-fund'];
      log(`installing pm2: ${argv.join(' ')}`);
      mkdirSync(PEERS, { recursive: true });
      await runToEnd(argv, { cwd: PEERS, env: process.env, logFile: join(PEERS, 'install.log') });
      installed = argv.join(' ');
    }
    return { version: JSON.parse(readFileSync(PM2_PKG, 'utf8')).version, installed };
  },

  write(run, units) {
    const apps = units.map((u) => ({
      name: u.name,
      script: resolveExecutable(u.argv[0]),
      args: u.argv.slice(1),
      interpreter: 'none',
      exec_mode: 'fork',
      autorestart: true,
      env: u.env,
    }));
    mkdirSync(home(run), { recursive: true });
    writeFileSync(join(run.dir, 'apps.json'), JSON.stringify({ apps }, null, 1));
  },

  start: (run) => pm2(run, ['start', join(run.dir, 'apps.json')], 'start'),
  stop: (run) => pm2(run, ['kill'], 'stop'),

  /** Why: the supervisor is pm2's God daemon (pid in PM2_HOME/pm2.pid). */
  async supervisors(run) {
    const found = await pollUntil(
      () => {
        try {
          const pid = Number(readFileSync(join(home(run), 'pm2.pid'), 'utf8').trim());
          const st = readStat(pid);
          return st ? [{ pid, start: st.start, comm: st.comm }] : undefined;
        } catch {
          return undefined;
        }
      },
      { intervalMs: 20, timeoutMs: 10_000 },
    );
    return found.value ?? [];
  },
};
