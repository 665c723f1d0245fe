// A warning for env files that hold secret-looking variables and that other users can read (mode wider than 0600).

import { basename } from 'node:path';
import type { Diagnostic } from '../shared/diagnostic.js';
import { parseEnvFile } from './env-files.js';
import { looksSecret } from './secret-names.js';

/** What the check needs to know of one env file. */
export interface EnvFileFacts {
  path: string;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  content: string;
}

/** A warning located at the file's first secret-looking variable, or null when the file is private or holds none. */
export const envFileModeWarning = (file: EnvFileFacts): Diagnostic | null => {
  if ((file.mode & 0o077) === 0) return null;
  const vars = parseEnvFile(file.content);
  const secrets = Object.keys(vars).filter(looksSecret).sort((a, b) => (vars[a]?.line ?? 0) - (vars[b]?.line ?? 0));
  const first = secrets[0];
  if (first === undefined) return null;
  const octal = (file.mode & 0o777).toString(8).padStart(4, '0');
  const shown = secrets.length > 3 ? `${secrets.slice(0, 3).join(', ')}, …` : secrets.join(', ');
  return {
    severity: 'warning',
    code: 'env-file-readable',
    message: `${basename(file.path)} holds secrets (${shown}) and other users can read it (mode ${octal})`,
    location: { file: file.path, line: vars[first]?.line ?? 1, col: 1, length: first.length },
    quote: false,
    hint: `chmod 600 ${file.path}`,
  };
};
