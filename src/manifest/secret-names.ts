// Which variable names look like they hold secrets, so `sbx env`, plans and logs mask their values.

/** Words that mark a secret when they are a whole word of the name (DB_PASSWORD, apiKey, GITHUB_TOKEN). */
const SECRET_WORDS = new Set([
  'KEY', 'KEYS', 'APIKEY', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWD',
  'PASSPHRASE', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'PRIVATE', 'AUTH', 'AUTHORIZATION', 'SALT', 'DSN',
]);

/** Fragments that mark a secret anywhere in the name, even glued to other words (DBPASSWORD, MYSECRETVALUE). */
const SECRET_FRAGMENTS = ['SECRET', 'PASSWORD', 'PASSWD', 'CREDENTIAL', 'PRIVATEKEY', 'APIKEY', 'ACCESSKEY', 'AUTHTOKEN'];

/** Well-known names that match the rules above but hold no secret (the shell's working directory, agent sockets). */
const NOT_SECRET = new Set(['PWD', 'OLDPWD', 'SSH_AUTH_SOCK', 'GPG_AGENT_INFO', 'XAUTHORITY', 'KEYTIMEOUT']);

/** Splits FOO_BAR, foo-bar, fooBar and FOOBar into upper-case words. */
const wordsOf = (name: string): string[] =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);

const verdicts = new Map<string, boolean>();

/** True when a variable's name suggests its value is a secret. */
export const looksSecret = (name: string): boolean => {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    verdict = judge(name);
    if (verdicts.size < 10_000) verdicts.set(name, verdict);
  }
  return verdict;
};

const judge = (name: string): boolean => {
  const upper = name.toUpperCase();
  if (NOT_SECRET.has(upper)) return false;
  if (wordsOf(name).some((word) => SECRET_WORDS.has(word))) return true;
  return SECRET_FRAGMENTS.some((fragment) => upper.replace(/[^A-Z0-9]/g, '').includes(fragment));
};
