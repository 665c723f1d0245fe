import { describe, expect, it } from 'vitest';
import { envFileModeWarning } from './env-file-mode.js';

describe('envFileModeWarning', () => {
  const content = '# db\nHOST=db\nDB_PASSWORD=hunter2\nAPI_KEY=k\n';

  it('warns at the first secret line, names the variables, never quotes a value', () => {
    const warning = envFileModeWarning({ path: '/p/.env', mode: 0o644, content });
    expect(warning).toMatchObject({
      severity: 'warning',
      code: 'env-file-readable',
      location: { file: '/p/.env', line: 3, col: 1 },
      quote: false,
      hint: 'chmod 600 /p/.env',
    });
    expect(warning?.message).toBe('.env holds secrets (DB_PASSWORD, API_KEY) and other users can read it (mode 0644)');
    expect(JSON.stringify(warning)).not.toContain('hunter2');
  });

  it.each([
    ['a private file', 0o600, content],
    ['an owner-only executable file', 0o700, content],
    ['a readable file without secret-looking names', 0o644, 'HOST=db\nPORT=5432\n'],
  ])('no warning for %s', (_label, mode, text) => {
    expect(envFileModeWarning({ path: '/p/.env', mode, content: text })).toBeNull();
  });
});
