// `sbx schema`: prints the manifest's JSON Schema (for editors, CI, and API clients).

import type { Command } from 'commander';
import { sandboxSchema } from '../../manifest/schema.js';

/** Registers `schema`. */
export const registerSchema = (program: Command): void => {
  program
    .command('schema')
    .description("print the JSON Schema of sandbox.yaml (editors: '# yaml-language-server: $schema=<path>')")
    .action(() => {
      process.stdout.write(`${JSON.stringify(sandboxSchema(), null, 2)}\n`);
    });
};
