// S26 injection corpus: shell metacharacters, option-looking values, traversal, NUL and 64 KiB strings in every string
// field a manifest or an API body takes. No field but a server's `start`/`install` (shell lines by design) reaches a
// shell: no /tmp/pwned-* file is ever created; what cannot be valid (NUL anywhere, bad names, users, images, health
// paths with whitespace) is rejected with a located error; what can is passed through byte for byte (argv, env, cwd).

import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { ApiClient } from '../../src/daemon/api-client.js';
import { loadManifest } from '../../src/manifest/load.js';
import { eventually } from '../helpers/eventually.js';
import { cleanupTestDaemons, rawRequest, startTestDaemon } from '../daemon/helpers/test-daemon.js';
import { SecProject } from './security-project.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/idle-unit.mjs', import.meta.url));
const run = randomUUID().slice(0, 8);
const pwned = `/tmp/pwned-${run}-`;
const startedAt = Date.now();

/** The corpus for one field; `n` tells the fields' payloads apart. */
const corpus = (n: number): string[] => [
  `$(touch ${pwned}${n}a)`,
  `\`touch ${pwned}${n}b\``,
  `x; touch ${pwned}${n}c`,
  `x && touch ${pwned}${n}d`,
  `x\ntouch ${pwned}${n}e`,
  '--privileged',
  '-v /:/host',
  '../../../../../../../etc/passwd',
  'a\u0000b',
  `${'A'.repeat(64 * 1024)}$(touch ${pwned}${n}f)`,
];
const hasNul = (value: string): boolean => value.includes('\u0000');
const runnable = (n: number): string[] => corpus(n).filter((v) => !hasNul(v));

/** /tmp/pwned-* files: ours, and any created since the test started. */
const pwnedFiles = (): string[] =>
  readdirSync('/tmp')
    .filter((name) => name.startsWith('pwned-'))
    .filter((name) => name.startsWith(`pwned-${run}-`) || statSync(join('/tmp', name)).mtimeMs >= startedAt - 1000);

type Raw = Record<string, any>;
const base = (): Raw => ({
  version: 1,
  services: { svc: { cmd: 'sleep', args: ['1'] } },
  servers: { srv: { start: 'true', health_check: { path: '/' } } },
  overlays: [{ name: 'tpl', source: './tpl', target: './out' }],
});

/** Every string field of a manifest, as a way to put a value into it. */
const MANIFEST_FIELDS: Record<string, (m: Raw, v: string) => void> = {
  'unit name': (m, v) => (m.services = { [v]: { cmd: 'sleep' } }),
  cmd: (m, v) => (m.services.svc.cmd = v),
  args: (m, v) => (m.services.svc.args = ['-x', v]),
  'env value': (m, v) => (m.services.svc.env = { VALUE: v }),
  'env name': (m, v) => (m.services.svc.env = { [v]: 'x' }),
  working_dir: (m, v) => (m.services.svc.working_dir = v),
  user: (m, v) => (m.services.svc.user = v),
  image: (m, v) => Object.assign(m.services.svc, { container: true, image: v }),
  'server path': (m, v) => (m.servers.srv.path = v),
  'health_check.path': (m, v) => (m.servers.srv.health_check.path = `/${v}`),
  env_file: (m, v) => (m.services.svc.env_file = [{ path: v, required: false }]),
  'overlay target': (m, v) => (m.overlays[0].target = v),
  'project name': (m, v) => (m.name = v),
};
const ALWAYS_INVALID = new Set(['unit name', 'env name', 'user', 'image', 'project name']);
const mustReject = (field: string, value: string): boolean =>
  hasNul(value) || ALWAYS_INVALID.has(field) || (field === 'health_check.path' && /[\s\u0000-\u001f\u007f]/.test(value));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sbx-s26-load-'));
  await mkdir(join(scratch, 'tpl'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await cleanupTestDaemons();
});

describe('S26 injection corpus', () => {
  it('the manifest loader rejects what cannot be valid with a located error, and takes the rest as data', async () => {
    const wrong: string[] = [];
    let rejected = 0;
    let n = 0;
    for (const [field, put] of Object.entries(MANIFEST_FIELDS)) {
      for (const value of corpus(100 + n++)) {
        const manifest = base();
        put(manifest, value);
        const file = join(scratch, 'sandbox.yaml');
        await writeFile(file, YAML.stringify(manifest, { lineWidth: 0 }));
        const loaded = await loadManifest(file, { userExists: () => true });
        const label = `${field} = ${JSON.stringify(value.slice(0, 40))}`;
        if (loaded.ok) {
          if (mustReject(field, value)) wrong.push(`${label}: accepted`);
          continue;
        }
        // Every rejection is located; a value that may be valid (a 64 KiB env file path) may still fail its check.
        rejected++;
        const errors = loaded.error.filter((d) => d.severity === 'error');
        if (errors.length === 0 || errors.some((d) => d.location?.file !== file || d.location.line < 1)) {
          wrong.push(`${label}: rejected without a location: ${JSON.stringify(loaded.error).slice(0, 300)}`);
        }
        if (!mustReject(field, value) && !(field === 'env_file' && value.length > 4096)) wrong.push(`${label}: rejected: ${errors.map((d) => d.message).join('; ').slice(0, 300)}`);
      }
    }
    console.log(`S26 manifest fields: ${wrong.length} wrong verdicts, ${rejected} located rejections (pass: 0 wrong)`);
    expect(wrong).toEqual([]);
  });

  it('the API rejects what cannot be valid with the field named, in URLs and bodies', async () => {
    const t = await startTestDaemon();
    const wrong: string[] = [];
    const put = (path: string, body: unknown) => rawRequest(t.daemon.socketPath, 'PUT', path, JSON.stringify(body));
    const bodies: Record<string, (v: string) => Raw> = {
      cmd: (v) => ({ cmd: v }),
      args: (v) => ({ cmd: 'sleep', args: [v] }),
      'env value': (v) => ({ cmd: 'sleep', env: { VALUE: v } }),
      'env name': (v) => ({ cmd: 'sleep', env: { [v]: 'x' } }),
      working_dir: (v) => ({ cmd: 'sleep', working_dir: v }),
      user: (v) => ({ cmd: 'sleep', user: v }),
      image: (v) => ({ cmd: 'sleep', container: true, image: v }),
    };
    let n = 0;
    for (const [field, body] of Object.entries(bodies)) {
      for (const value of corpus(200 + n++)) {
        const answer = await put('/v1/services/svc', body(value));
        const label = `${field} = ${JSON.stringify(value.slice(0, 40))}`;
        if (mustReject(field, value)) {
          if (answer.status !== 400 || !answer.body?.error?.field) wrong.push(`${label}: ${answer.status} ${answer.text.slice(0, 200)}`);
        } else if (answer.status >= 300) wrong.push(`${label}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    for (const value of corpus(299)) {
      // Names in URLs (a 64 KiB URL is the HTTP layer's to refuse: 431 before any route) and in a body (a server's slug).
      if (value.length < 8192) {
        const answer = await put(`/v1/services/${encodeURIComponent(value)}`, { cmd: 'sleep' });
        if (answer.status !== 400 || !answer.body?.error) wrong.push(`name ${JSON.stringify(value.slice(0, 40))}: ${answer.status}`);
      }
      const slug = await rawRequest(t.daemon.socketPath, 'POST', '/v1/servers', JSON.stringify({ slug: value, start: 'true' }));
      if (slug.status !== 400 || slug.body?.error?.field !== 'slug') wrong.push(`slug ${JSON.stringify(value.slice(0, 40))}: ${slug.status} ${slug.text.slice(0, 200)}`);
      const server = await rawRequest(t.daemon.socketPath, 'POST', '/v1/servers', JSON.stringify({ slug: 'web', start: 'true', health_check: { path: `/${value}` } }));
      if (mustReject('health_check.path', value) && (server.status !== 400 || !server.body?.error?.field)) wrong.push(`health path ${JSON.stringify(value.slice(0, 40))}: ${server.status}`);
    }
    console.log(`S26 API fields: ${wrong.length} wrong verdicts (pass: 0)`);
    expect(wrong).toEqual([]);
  });

  describe('through the real daemon', () => {
    let project: SecProject;
    let client: ApiClient;
    const args = [FIXTURE, ...runnable(1)];
    const envValues = Object.fromEntries(runnable(2).map((v, i) => [`V${i}`, v]));
    const cwds = runnable(3).filter((v) => v.length < 200);
    const cmds = runnable(4);
    const serverPath = `w/$(touch ${pwned}5a)`;
    const serverEnv = Object.fromEntries(runnable(6).map((v, i) => [`S${i}`, v]));

    beforeAll(async () => {
      project = await SecProject.create('sbx-s26-');
      for (const dir of [...cwds.filter((c) => !c.startsWith('..')).map((c) => `w/${c}`), serverPath]) mkdirSync(project.path(dir), { recursive: true });
      const manifest: Raw = {
        version: 1,
        services: {
          argv: { cmd: 'node', args },
          env: { cmd: 'node', args: [FIXTURE], env: envValues },
          ...Object.fromEntries(cwds.map((c, i) => [`cwd-${i}`, { cmd: 'node', args: [FIXTURE], working_dir: `w/${c}` }])),
          ...Object.fromEntries(cmds.map((c, i) => [`cmd-${i}`, { cmd: c }])),
        },
        servers: {
          web: { start: `exec node ${FIXTURE}`, path: serverPath, environment: serverEnv, health_check: { path: '/--privileged/../-v%20/:/host', interval_ms: 200, delay_ms: 0 } },
        },
      };
      await project.write('sandbox.yaml', YAML.stringify(manifest, { lineWidth: 0 }));
      await project.sbx(['apply', '--timeout', '60s']);
      client = await project.client();
    });
    afterAll(async () => {
      await project?.teardown();
    });

    const readyPid = async (name: string): Promise<number> =>
      (await eventually(async () => {
        const u = await client.getUnit(name);
        return u.phase === 'ready' && u.pid !== null ? u.pid : null;
      }, { message: `${name} ready` })) as number;

    it('services get their argv, environment and working directory byte for byte; bad commands fail to start', async () => {
      const cmdline = readFileSync(`/proc/${await readyPid('argv')}/cmdline`, 'utf8');
      expect(cmdline).toBe(`${['node', ...args].join('\0')}\0`);
      const environ = readFileSync(`/proc/${await readyPid('env')}/environ`, 'utf8').split('\0');
      for (const [name, value] of Object.entries(envValues)) expect(environ).toContain(`${name}=${value}`);
      let exact = 2;
      for (const [i, c] of cwds.entries()) {
        if (c.startsWith('..')) {
          await eventually(async () => (await client.getUnit(`cwd-${i}`)).phase === 'failed', { message: `cwd-${i} to fail` });
          continue;
        }
        expect(readlinkSync(`/proc/${await readyPid(`cwd-${i}`)}/cwd`)).toBe(resolve(project.dir, 'w', c));
        exact++;
      }
      for (const i of cmds.keys()) {
        await eventually(async () => (await client.getUnit(`cmd-${i}`)).phase === 'failed', { message: `cmd-${i} to fail` });
      }
      const server = readFileSync(`/proc/${await readyPid('web')}/environ`, 'utf8').split('\0');
      for (const [name, value] of Object.entries(serverEnv)) expect(server).toContain(`${name}=${value}`);
      console.log(`S26 through the daemon: ${exact} units with argv/env/cwd byte-exact, ${cmds.length} hostile commands failed to start (pass: all)`);
    });

    it('exec passes its argv without a shell, and refuses NUL', async () => {
      for (const value of runnable(7)) {
        const result = await client.execService('argv', ['printf', '%s', value]);
        expect(result.stdout).toBe(value);
      }
      const nul = await rawRequest(client.socketPath, 'POST', '/v1/services/argv/exec', JSON.stringify({ cmd: ['printf', '%s', 'a\u0000b'] }));
      expect(nul.status).toBe(400);
    });

    it('no /tmp/pwned-* file exists', async () => {
      const files = pwnedFiles();
      console.log(`S26 injection corpus: ${files.length} /tmp/pwned-* files created (pass: 0)`);
      expect(files).toEqual([]);
    });
  });
});
