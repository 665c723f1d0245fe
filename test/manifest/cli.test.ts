// The real `sbx` binary (dist/, built by the global setup) on real files: validate, env, schema, exit codes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'dist/cli/bin.js');
const temp = mkdtempSync(join(tmpdir(), 'sbx-cli-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const sbx = (args: string[], cwd = root, env: Record<string, string> = {}) => {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/home/sbx', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

const write = (name: string, text: string): string => {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
};

describe('sbx validate', () => {
  it('accepts the root demo and every example', () => {
    const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && readdirSync(join(root, 'examples', d.name)).includes('sandbox.yaml'))
      .map((d) => `examples/${d.name}/sandbox.yaml`);
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const result = sbx(['validate', 'sandbox.yaml', ...examples]);
    // The demo's fake token sits in a file git checks out world-readable: its warning is the only thing allowed.
    const readableEnvWarning = /^examples\/demo\/demo\.env:\d+:1 warning: demo\.env holds secrets \(DEMO_API_TOKEN\) .*\n {2}hint: chmod 600 .*\n\n?/gm;
    expect(result.stderr.replace(readableEnvWarning, '')).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sandbox.yaml: valid (2 units, 1 overlay)');
  });

  it('reads ./sandbox.yaml by default', () => {
    const dir = mkdtempSync(join(temp, 'default-'));
    writeFileSync(join(dir, 'sandbox.yaml'), 'version: 1\nservices:\n  a: { cmd: sleep, args: [1] }\n');
    expect(sbx(['validate'], dir)).toMatchObject({ code: 0, stdout: 'sandbox.yaml: valid (1 unit, 0 overlays)\n' });
  });

  it('prints located diagnostics and exits 1 for an invalid manifest', () => {
    const file = write('bad.yaml', 'version: 1\nservices:\n  redis:\n    cmd: redis-server\n    health_port: 6379x\n');
    const result = sbx(['validate', file], temp);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'bad.yaml:5:18 error: services.redis.health_port must be an integer, got "6379x"',
        '  5 |     health_port: 6379x',
        '    |                  ^^^^^',
        'bad.yaml: 1 error',
        '',
      ].join('\n'),
    );
  });

  it('gives diagnostics as data with --json', () => {
    const file = write('bad-json.yaml', 'version: 1\nservers:\n  web: { start: x, restart_polcy: always }\n');
    const result = sbx(['validate', '--json', file], temp);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { valid: boolean; files: { diagnostics: { code: string; field: string; hint: string; location: { line: number; col: number } }[] }[] };
    expect(body.valid).toBe(false);
    expect(body.files[0]?.diagnostics).toEqual([
      expect.objectContaining({ code: 'unknown-key', field: 'servers.web.restart_polcy', hint: 'did you mean `restart_policy`?', location: expect.objectContaining({ line: 3, col: 20 }) }),
    ]);
  });

  it('exits 2 when a file cannot be read, even beside an invalid one', () => {
    const bad = write('bad2.yaml', 'version: 3\n');
    const result = sbx(['validate', bad, join(temp, 'missing.yaml')], temp);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read');
  });

  it('exits 2 on an unknown option, with the help', () => {
    const result = sbx(['validate', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });
});

describe('sbx env', () => {
  const dir = mkdtempSync(join(temp, 'env-'));
  writeFileSync(join(dir, '.env'), '# project\nGREETING=hello\nAPI_TOKEN=tok-123\n');
  writeFileSync(join(dir, 'sandbox.yaml'), 'version: 1\nenv_file: .env\nenvironment: { LOG_LEVEL: info }\nservers:\n  web:\n    start: node web.js\n    environment: { DB_PASSWORD: hunter2, GREETING: "${GREETING} world" }\n');

  it('shows each variable with where it came from, secrets masked', () => {
    const result = sbx(['env', 'web'], dir, { FROM_SHELL: 'yes' });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').map((l) => l.replace(/ +#/, ' #'));
    expect(lines).toEqual(
      expect.arrayContaining([
        'API_TOKEN=*** # .env:3',
        'DB_PASSWORD=*** # sandbox.yaml:7 (servers.web.environment.DB_PASSWORD)',
        'GREETING="hello world" # sandbox.yaml:7 (servers.web.environment.GREETING)',
        "LOG_LEVEL=info # sandbox.yaml:3 (environment.LOG_LEVEL)",
        "FROM_SHELL=yes # sbx's environment",
      ]),
    );
    expect(result.stdout).not.toContain('hunter2');
    expect(result.stdout).not.toContain('tok-123');
  });

  it('shows secrets when asked, and as JSON', () => {
    expect(sbx(['env', 'web', '--show-secrets'], dir).stdout).toContain('DB_PASSWORD=hunter2');
    const json = JSON.parse(sbx(['env', 'web', 'sandbox.yaml', '--json'], dir).stdout) as { env: Record<string, { value: string; secret: boolean; source: unknown }> };
    expect(json.env.API_TOKEN).toEqual({ value: '***', secret: true, source: { kind: 'env-file', file: join(dir, '.env'), line: 3 } });
  });

  it('suggests a name for an unknown unit and exits 2', () => {
    const result = sbx(['env', 'wbe'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('sbx: no unit named `wbe` in sandbox.yaml; did you mean `web`?\n');
  });
});

describe('sbx schema', () => {
  it('prints the schema', () => {
    const result = sbx(['schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(root, 'schemas/sandbox.schema.json'), 'utf8')));
  });
});
