// supervisord as a bench peer: one [program:NAME] per unit, `supervisord -c FILE` in the foreground, `supervisorctl shutdown`.
// Why: the classic Python process supervisor (Debian package `supervisor`), installed with apt on first use.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, runToEnd } from '../lib/launch.mjs';
import { readStat } from '../lib/proc.mjs';
import { resolveExecutable } from '../lib/workloads.mjs';

const conf = (run) => join(run.dir, 'supervisord.conf');
// supervisord splits `command` like a shell: quote every word that needs it.
const word = (s) => (/^[\w./=:-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`);

/** Why: the config for N units; everything default except autorestart=true (as the brief asks) and paths inside the run. */
export function configFor(run, units) {
  const lines = [
    '[unix_http_server]',
    `file=${join(run.dir, 'supervisor.sock')}`,
    '[supervisord]',
    'nodaemon=true',
    `logfile=${join(run.dir, 'supervisord.log')}`,
    `pidfile=${join(run.dir, 'supervisord.pid')}`,
    `childlogdir=${join(run.dir, 'logs')}`,
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]',
    `serverurl=unix://${join(run.dir, 'supervisor.sock')}`,
  ];
  for (const u of units) {
    const argv = [resolveExecutable(u.argv[0]), ...u.argv.slice(1)];
    lines.push(
      `[program:${u.name}]`,
      `command=${argv.map(word).join(' ')}`,
      `environment=${Object.entries(u.env).map(([k, v]) => `${k}="${v}"`).join(',')}`,
      'autorestart=true',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Why: the peer interface every adapter implements (see bench/run.mjs). */
export const supervisordPeer = {
  name: 'supervisord',
  chain: false,
  startReturns: false,

  /** Why: install Debian's supervisor on first use (waiting for another apt to finish), and say so. */
  async ensure(log) {
    let installed = null;
    try {
      resolveExecutable('supervisord');
    } catch {
      const argv = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', 'supervisor'];
      log(`installing supervisord: ${argv.join(' ')}`);
      await runToEnd(argv, { cwd: '/', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, logFile: '/tmp/sbx-bench-apt.log' });
      installed = argv.join(' ');
    }
    const version = execFileSync(resolveExecutable('supervisord'), ['--version'], { encoding: 'utf8' }).trim();
    return { version, installed };
  },

  write(run, units) {
    mkdirSync(join(run.dir, 'logs'), { recursive: true });
    writeFileSync(conf(run), configFor(run, units));
  },

  start: (run) => launch(['supervisord', '-c', conf(run)], { cwd: run.dir, env: run.env, logFile: join(run.dir, 'start.log') }),
  stop: (run) => launch(['supervisorctl', '-c', conf(run), 'shutdown'], { cwd: run.dir, env: run.env, logFile: join(run.dir, 'stop.log') }),

  /** Why: the supervisor is the foreground supervisord itself (the start command's pid). */
  async supervisors(run, starter) {
    const st = readStat(starter.pid);
    return st ? [{ pid: starter.pid, start: st.start, comm: st.comm }] : [];
  },
};
