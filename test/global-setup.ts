// Builds dist/ once before the suite, so CLI tests run the real `sbx` binary.
// Type errors do not stop the build here (tsc still emits); `npm test` type-checks first on its own.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Vitest global setup: compile src/ to dist/. */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], {
    cwd: root,
    stdio: 'ignore',
  });
}
