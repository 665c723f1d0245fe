// A manifest value that embeds a secret (`postgres://app:${DB_PASSWORD}@db`) is a secret too, whatever its name.

import type { EnvVar } from './types.js';

/** Shorter values are not looked for inside others (too many false matches: "1", "on"). */
const MIN_EMBEDDED_LENGTH = 4;

/** Values others must not embed: from env files (any name) or of secret-looking names. */
const secretValues = (env: Record<string, EnvVar>): string[] =>
  Object.values(env)
    .filter((v) => (v.secret || v.source.kind === 'env-file') && v.value.length >= MIN_EMBEDDED_LENGTH)
    .map((v) => v.value);

/** Marks `secret` the manifest-set variables whose value contains such a value (e.g. through `${VAR}`). */
export const markEmbeddedSecrets = (env: Record<string, EnvVar>): Record<string, EnvVar> => {
  const secrets = secretValues(env);
  if (secrets.length === 0) return env;
  let marked: Record<string, EnvVar> | null = null;
  for (const [name, variable] of Object.entries(env)) {
    if (variable.secret || variable.source.kind !== 'manifest') continue;
    if (!secrets.some((secret) => variable.value.includes(secret))) continue;
    marked ??= { ...env };
    marked[name] = { ...variable, secret: true };
  }
  return marked ?? env;
};
