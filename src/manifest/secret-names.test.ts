import { describe, expect, it } from 'vitest';
import { looksSecret } from './secret-names.js';

describe('looksSecret', () => {
  it.each([
    'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD', 'DBPASSWORD', 'MYSQL_PWD', 'SMTP_PASS', 'PGPASSWD',
    'GOOGLE_APPLICATION_CREDENTIALS', 'PRIVATE_KEY', 'AUTH_HEADER', 'apiKey', 'dbPassword', 'SENTRY_DSN', 'STRIPE_SECRET',
    'NPM_AUTHTOKEN', 'JWT_SALT', 'client-secret',
  ])('%s is secret', (name) => {
    expect(looksSecret(name)).toBe(true);
  });

  it.each([
    'PATH', 'PWD', 'OLDPWD', 'HOME', 'PORT', 'NODE_ENV', 'LOG_LEVEL', 'KEYBOARD_LAYOUT', 'MONKEY', 'AUTHOR', 'SSH_AUTH_SOCK',
    'TOKENIZERS_PARALLELISM', 'PASSENGER_ENV', 'DATABASE_URL', 'XAUTHORITY', 'COMPASS', 'BYPASS_CACHE',
  ])('%s is not secret', (name) => {
    expect(looksSecret(name)).toBe(false);
  });
});
