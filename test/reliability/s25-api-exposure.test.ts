// S25 API exposure: only the socket's owner can connect (0600 socket in a 0700 folder, never wider at any instant
// across many daemon starts; another user gets EACCES); the optional TCP listener is off by default, binds loopback
// only, and answers every route of the route table 401 without the token, 421 to a foreign Host (DNS rebinding) and
// 403 to a foreign Origin (a web page), whatever the token.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_FILE } from '../../src/daemon/api-token.js';
import type { ApiContext } from '../../src/daemon/route.js';
import { routeTable } from '../../src/daemon/server.js';
import { distDir, fixture, killAll, spawnLines } from '../daemon/helpers/processes.js';
import { cleanupTestDaemons, startTestDaemon, tempProject } from '../daemon/helpers/test-daemon.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { hostExecutor } from '../../src/daemon/host-exec.js';
import { FakeEngine } from '../../src/daemon/testing/fake-engine.js';
import { loadManifest, resolveUnitFromApi } from '../../src/manifest/load.js';
import { FakeLogStore } from '../../src/runtime/fakes/fake-log-store.js';
import { silentLogger } from '../../src/shared/logger.js';
import { SBX_BIN } from './security-project.js';

const DAEMON_STARTS = 200;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? 'setpriv';
const asNobody = (argv: string[]) =>
  spawnSync(setpriv, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv], { encoding: 'utf8', timeout: 30_000 });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await killAll();
  await cleanupTestDaemons();
});

/** One HTTP request to the TCP listener with exactly these headers. */
const tcpRequest = (port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(method === 'GET' || method === 'DELETE' ? undefined : '{}');
  });

/** A daemon (fake engine) with the TCP listener on a free loopback port. */
const tcpDaemon = async () => {
  const dir = await tempProject();
  const stateDir = join(dir, '.sbx');
  const outcome = await startDaemon({ stateDir, logger: silentLogger, listen: { host: '127.0.0.1', port: 0 } }, async () => ({
    engine: new FakeEngine(),
    loadManifest,
    resolveUnit: resolveUnitFromApi,
    logs: new FakeLogStore(),
    executor: hostExecutor,
  }));
  if (!outcome.started) throw new Error('daemon did not start');
  closers.push(() => outcome.daemon.close());
  const port = outcome.daemon.tcp?.port;
  if (!port) throw new Error('no TCP listener');
  const token = (await readFile(join(stateDir, TOKEN_FILE), 'utf8')).trim();
  return { dir, stateDir, port, token, daemon: outcome.daemon };
};

/** Listening TCP sockets of a process, as `ss` shows their local address. */
const listeningAddresses = (pid: number): string[] => {
  const out = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3] ?? '');
};

describe('S25 API exposure', () => {
  it(`the socket is never wider than 0600, nor its folder than 0700, at any instant of ${DAEMON_STARTS} daemon starts`, async () => {
    const dir = await tempProject();
    const stop = join(dir, 'stop-watching');
    const watcher = spawnLines([process.execPath, fixture('mode-watcher.mjs'), join(dir, '.sbx', 'sbx.sock'), stop]);
    await watcher.line((l) => l === 'watching');
    for (let i = 0; i < DAEMON_STARTS; i++) {
      const t = await startTestDaemon({ dir });
      await t.client.health();
      await t.stop();
    }
    await writeFile(stop, '');
    const report = JSON.parse(await watcher.line((l) => l.startsWith('{'))) as { observations: number; socketModes: string[]; dirModes: string[] };
    const wider = [...report.socketModes.filter((m) => m !== '600'), ...report.dirModes.filter((m) => m !== '700')];
    console.log(`S25 socket modes: ${wider.length} wider modes in ${report.observations} observations over ${DAEMON_STARTS} daemon starts (pass: 0)`);
    expect(report.observations).toBeGreaterThan(0);
    expect(wider).toEqual([]);
  });

  it('another user can neither connect to the socket nor read the token', async () => {
    const t = await tcpDaemon();
    const probe = `require('net').connect(${JSON.stringify(t.daemon.socketPath)}).on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(0) })`;
    expect(asNobody([process.execPath, '-e', probe]).stdout.trim()).toBe('EACCES');
    const curl = asNobody(['curl', '-sS', '--unix-socket', t.daemon.socketPath, 'http://sbx/v1/health']);
    expect(curl.stderr).toMatch(/Permission denied|Couldn't connect/);
    expect(asNobody(['cat', join(t.stateDir, TOKEN_FILE)]).stderr).toMatch(/Permission denied/);
    expect((await stat(join(t.stateDir, TOKEN_FILE))).mode & 0o777).toBe(0o600);
    // Over TCP nobody gets no further than anyone without the token.
    // (async: the daemon runs in this process and must answer while curl waits)
    const viaTcp = await execa(setpriv, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${t.port}/v1/health`], { reject: false });
    expect(viaTcp.stdout).toBe('401');
  });

  it('over TCP every route of the route table answers 401 without the token, and the same handlers with it', async () => {
    const t = await tcpDaemon();
    const routes = routeTable({ paths: { stateDir: t.stateDir, projectDir: t.dir, manifestPath: null, socketPath: t.daemon.socketPath } } as unknown as ApiContext);
    expect(routes.length).toBeGreaterThan(20);
    const host = `127.0.0.1:${t.port}`;
    const answered: string[] = [];
    for (const route of routes) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        const path = route.url.replace(/:[a-z]+/g, 'x');
        for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${t.token}`, `Bearer ${t.token.slice(0, -1)}`]) {
          const answer = await tcpRequest(t.port, method, path, { host, 'content-type': 'application/json', ...(authorization ? { authorization } : {}) });
          answered.push(`${answer.status} ${method} ${route.url}`);
        }
      }
    }
    const open = answered.filter((line) => !line.startsWith('401 '));
    console.log(`S25 TCP without token: ${open.length} of ${answered.length} requests over ${routes.length} routes not refused (pass: 0)`);
    expect(open).toEqual([]);
    const withToken = await tcpRequest(t.port, 'GET', '/v1/health', { host, authorization: `Bearer ${t.token}` });
    expect(withToken.status).toBe(200);
    expect(JSON.parse(withToken.body)).toMatchObject({ ok: true, socket: t.daemon.socketPath });
    expect((await tcpRequest(t.port, 'GET', '/v1/status', { host: `localhost:${t.port}`, authorization: `Bearer ${t.token}` })).status).toBe(200);
  });

  it('over TCP a foreign Host gets 421 and a foreign Origin 403, even with the token', async () => {
    const t = await tcpDaemon();
    const auth = { authorization: `Bearer ${t.token}` };
    const refused = [
      await tcpRequest(t.port, 'GET', '/v1/status', { host: 'evil.example', ...auth }),
      await tcpRequest(t.port, 'GET', '/v1/status', { host: `evil.example:${t.port}`, ...auth }),
      await tcpRequest(t.port, 'POST', '/v1/shutdown', { host: `127.0.0.1:${t.port + 1}`, ...auth }),
      await tcpRequest(t.port, 'GET', '/v1/status', { host: `127.0.0.1:${t.port}`, origin: 'http://evil.example', ...auth }),
      await tcpRequest(t.port, 'POST', '/v1/shutdown', { host: `127.0.0.1:${t.port}`, origin: 'null', ...auth, 'content-type': 'application/json' }),
      await tcpRequest(t.port, 'GET', '/v1/status', { host: `127.0.0.1:${t.port}`, origin: `https://127.0.0.1:${t.port}`, ...auth }),
    ].map((a) => a.status);
    console.log(`S25 TCP Host/Origin: statuses ${refused.join(', ')} (pass: 421 421 421 403 403 403)`);
    expect(refused).toEqual([421, 421, 421, 403, 403, 403]);
    expect((await tcpRequest(t.port, 'GET', '/v1/status', { host: `127.0.0.1:${t.port}`, origin: `http://127.0.0.1:${t.port}`, ...auth })).status).toBe(200);
  });

  it('`sbx daemon --listen` binds loopback only (refusing 0.0.0.0), `sbx token` prints the token, and the default listens on no TCP port', async () => {
    const dir = await tempProject();
    const stateDir = join(dir, '.sbx');
    const refused = spawnSync(process.execPath, [SBX_BIN, 'daemon', '--state-dir', stateDir, '--listen', '0.0.0.0:0'], { encoding: 'utf8', timeout: 30_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/loopback only/);

    const plain = spawnLines([process.execPath, join(distDir, 'cli', 'bin.js'), 'daemon', '--state-dir', stateDir]);
    await plain.line((l) => l.startsWith('sbx daemon: serving'));
    const plainPid = plain.child.pid as number;
    expect(listeningAddresses(plainPid)).toEqual([]);
    plain.child.kill('SIGINT');
    expect(await plain.exited).toBe(0);

    const daemon = spawnLines([process.execPath, join(distDir, 'cli', 'bin.js'), 'daemon', '--state-dir', stateDir, '--listen', '127.0.0.1:0']);
    const banner = await daemon.line((l) => l.startsWith('sbx daemon: also on'));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);
    const addresses = listeningAddresses(daemon.child.pid as number);
    console.log(`S25 TCP listener: listening on ${addresses.join(', ')} (pass: loopback only)`);
    expect(addresses).toEqual([`127.0.0.1:${port}`]);
    const printed = spawnSync(process.execPath, [SBX_BIN, 'token', '--state-dir', stateDir], { encoding: 'utf8' });
    expect(printed.status).toBe(0);
    expect(printed.stdout.trim()).toBe((await readFile(join(stateDir, TOKEN_FILE), 'utf8')).trim());
    expect(printed.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const health = await tcpRequest(port, 'GET', '/v1/health', { host: `127.0.0.1:${port}`, authorization: `Bearer ${printed.stdout.trim()}` });
    expect(health.status).toBe(200);
    daemon.child.kill('SIGINT');
    expect(await daemon.exited).toBe(0);
  });
});
