import { describe, expect, it } from 'vitest';
import { renderStatus } from './render-status.js';
import type { StatusRow } from './status-row.js';
import { stripAnsi } from './style.js';

const row = (partial: Partial<StatusRow>): StatusRow => ({
  name: 'api',
  kind: 'service',
  status: 'ready',
  pid: 4242,
  port: 3000,
  restarts: 0,
  health: 'healthy',
  age_ms: 65_000,
  note: null,
  command: 'node server.js',
  desired: true,
  ...partial,
});

const rows: StatusRow[] = [
  row({ name: 'db', port: 5432, pid: 101, age_ms: 125_000 }),
  row({ name: 'api', status: 'failed', pid: null, restarts: 5, health: 'unhealthy', age_ms: 3000, note: 'gave up after 5 restarts: exited with code 1' }),
  row({ name: 'web', kind: 'server', status: 'pending', pid: null, port: null, health: null, age_ms: null, note: 'waiting-for-needs: api', command: 'npm run dev' }),
];

describe('renderStatus', () => {
  it.each<[string, StatusRow[], { wide?: boolean; columns?: number }, string]>([
    ['no units', [], {}, 'no units: run `sbx apply` to bring the manifest up\n'],
    [
      'aligned columns, numbers right-aligned, dashes for unknowns',
      rows,
      {},
      [
        'NAME  KIND     STATUS   PID  PORT  RESTARTS  HEALTH      AGE  NOTE',
        'db    service  ready    101  5432         0  healthy    2m5s',
        'api   service  failed     -  3000         5  unhealthy    3s  gave up after 5 restarts: exited with code 1',
        'web   server   pending    -     -         0  -             -  waiting-for-needs: api',
        '',
      ].join('\n'),
    ],
    [
      'notes shortened to the terminal width',
      rows,
      { columns: 80 },
      [
        'NAME  KIND     STATUS   PID  PORT  RESTARTS  HEALTH      AGE  NOTE',
        'db    service  ready    101  5432         0  healthy    2m5s',
        'api   service  failed     -  3000         5  unhealthy    3s  gave up after 5 …',
        'web   server   pending    -     -         0  -             -  waiting-for-need…',
        '',
      ].join('\n'),
    ],
    [
      'wide: full notes and the command',
      rows.slice(1),
      { wide: true, columns: 40 },
      [
        'NAME  KIND     STATUS   PID  PORT  RESTARTS  HEALTH     AGE  NOTE                                          COMMAND',
        'api   service  failed     -  3000         5  unhealthy   3s  gave up after 5 restarts: exited with code 1  node server.js',
        'web   server   pending    -     -         0  -            -  waiting-for-needs: api                        npm run dev',
        '',
      ].join('\n'),
    ],
    [
      'overlays have no restarts',
      [row({ name: 'tpl', kind: 'overlay', status: 'complete', pid: null, port: null, health: null, age_ms: null })],
      {},
      ['NAME  KIND     STATUS    PID  PORT  RESTARTS  HEALTH  AGE  NOTE', 'tpl   overlay  complete    -     -         -  -         -', ''].join('\n'),
    ],
  ])('%s', (_name, input, options, expected) => {
    expect(renderStatus(input, { color: false, ...options })).toBe(expected);
  });

  it('every rendered line fits the terminal width', () => {
    for (const line of renderStatus(rows, { color: false, columns: 80 }).split('\n')) expect(line.length).toBeLessThan(80);
  });

  it('colours status and health but keeps the alignment', () => {
    const text = renderStatus(rows, { color: true });
    expect(text).toContain('\u001b[32mready\u001b[39m');
    expect(text).toContain('\u001b[31mfailed\u001b[39m');
    expect(text).toContain('\u001b[31munhealthy\u001b[39m');
    expect(stripAnsi(text)).toBe(renderStatus(rows, { color: false }));
  });
});
