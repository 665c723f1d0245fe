// The container sample's image, `node:20-slim`, built locally (no registry here): `podman import` of a root
// filesystem holding this machine's node binary, the libraries `ldd` lists for it, and the sample's server.js in the
// image's working directory /app. Removed afterwards only when this file built it.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PodmanFixture } from '../container/podman-fixture.js';
import { FIXTURE_PROJECT } from './seed-env.js';

/** The sample's image reference, as podman stores an imported short name. */
export const SAMPLE_IMAGE = 'node:20-slim';
const STORED_AS = 'localhost/node:20-slim';

/** A label telling our image apart from a real node:20-slim someone pulled. */
const OURS = 'sbx.test=seed-sample';

/** Shared libraries a binary needs, from `ldd` (absolute paths only). */
const librariesOf = (binary: string): string[] =>
  execFileSync('ldd', [binary], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const match = /(\/\S+)\s+\(0x/.exec(line);
      return match?.[1] ? [match[1]] : [];
    });

/** True when an image named node:20-slim exists and is ours. */
const oursExists = (podman: PodmanFixture): boolean | null => {
  const found = spawnSync('podman', ['image', 'inspect', '--format', '{{index .Labels "sbx.test"}}', STORED_AS], { env: podman.env, encoding: 'utf8' });
  if (found.status !== 0) return null;
  return found.stdout.trim() === 'seed-sample';
};

/** Builds the image unless it exists; resolves true when this call built it (so the caller removes it). */
export const ensureSampleNodeImage = (podman: PodmanFixture): boolean => {
  const existing = oursExists(podman);
  if (existing === false) throw new Error(`${SAMPLE_IMAGE} exists and was not built by these tests; it may lack /app/server.js`);
  if (existing === true) return false;
  const root = join(podman.dir, 'node-rootfs');
  const node = realpathSync(process.execPath);
  for (const dir of ['usr/local/bin', 'app', 'tmp', 'proc', 'sys', 'dev', 'etc']) mkdirSync(join(root, dir), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync(node, join(root, 'usr/local/bin/node'));
  chmodSync(join(root, 'usr/local/bin/node'), 0o755);
  for (const lib of librariesOf(node)) {
    mkdirSync(join(root, dirname(lib)), { recursive: true });
    copyFileSync(realpathSync(lib), join(root, lib));
  }
  copyFileSync(join(FIXTURE_PROJECT, 'server.js'), join(root, 'app/server.js'));
  execFileSync('sh', ['-c', 'printf "root:x:0:0:root:/root:/bin/sh\\n" > "$1/etc/passwd"', 'sh', root]);
  const tar = join(podman.dir, 'node-rootfs.tar');
  execFileSync('tar', ['-C', root, '-cf', tar, '.']);
  podman.podman(['import', '--quiet', '--change', 'WORKDIR /app', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', '--change', `LABEL ${OURS}`, '--change', 'CMD ["node"]', tar, SAMPLE_IMAGE]);
  rmSync(root, { recursive: true, force: true });
  rmSync(tar, { force: true });
  return true;
};

/** Removes the image (when this run built it). */
export const removeSampleNodeImage = (podman: PodmanFixture): void => {
  spawnSync('podman', ['rmi', '--force', STORED_AS], { env: podman.env });
};
