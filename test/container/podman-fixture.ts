// Real podman for the container tests: a containers.conf that works on these machines (runc, cgroupfs, file events,
// ulimits within the hard limits we have), and a tiny busybox image built locally with `podman import` (no registry).

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The image every container test runs (bump the tag when the image's content changes). */
export const TEST_IMAGE = 'localhost/sbx-test-busybox:v1';

/** A folder the image has (for working_dir tests). */
export const IMAGE_DATA_DIR = '/data';

/** Hard limit of one resource from /proc/self/limits, or null when unlimited. */
const hardLimit = (resource: string): number | null => {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(resource));
  const hard = line?.slice(resource.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? null : Number(hard);
};

/**
 * Container ulimits this machine can grant: podman's defaults ask for more than the hard limits (and root here has
 * no CAP_SYS_RESOURCE), so runc fails with "error setting rlimit". nproc is also capped at pid_max.
 */
export const grantableUlimits = (): string[] => {
  const ulimits: string[] = [];
  const nofile = hardLimit('Max open files');
  if (nofile !== null) ulimits.push(`nofile=${nofile}:${nofile}`);
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const nproc = Math.min(hardLimit('Max processes') ?? pidMax, pidMax);
  ulimits.push(`nproc=${nproc}:${nproc}`);
  return ulimits;
};

/** The settings these machines need as a containers.conf (runc: crun rejects the hybrid cgroup layout; no systemd). */
export const containersConf = (): string =>
  [
    '[containers]',
    `default_ulimits = [${grantableUlimits().map((u) => JSON.stringify(u)).join(', ')}]`,
    '',
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    '',
  ].join('\n');

/** A temp folder with the containers.conf; `env` is sbx's environment with CONTAINERS_CONF pointing at it. */
export class PodmanFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'sbx-podman-'));
  readonly confPath = join(this.dir, 'containers.conf');
  readonly env: Record<string, string | undefined>;

  constructor() {
    writeFileSync(this.confPath, containersConf());
    this.env = { ...process.env, CONTAINERS_CONF: this.confPath };
  }

  /** Runs podman with the fixture's environment; throws with podman's own message on failure. */
  podman(args: string[], options: { env?: Record<string, string | undefined> } = {}): string {
    const result = spawnSync('podman', args, { env: options.env ?? this.env, encoding: 'utf8', timeout: 120_000 });
    if (result.error) throw new Error(`podman ${args.join(' ')}: ${result.error.message} (run test/container/setup-podman.sh)`);
    if (result.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${String(result.status)}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Builds the busybox image unless it exists, then proves a container really runs (fails loudly otherwise). */
  prepare(): void {
    const exists = spawnSync('podman', ['image', 'exists', TEST_IMAGE], { env: this.env }).status === 0;
    if (!exists) this.#buildImage();
    const out = this.podman(['run', '--rm', '--network=host', '--', TEST_IMAGE, 'echo', 'podman-ok']);
    if (out.trim() !== 'podman-ok') throw new Error(`podman probe printed ${JSON.stringify(out)}`);
  }

  /** Removes the temp folder (the image stays, shared by test files). */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  #buildImage(): void {
    const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
    if (!busybox) throw new Error('busybox is not installed (run test/container/setup-podman.sh)');
    const root = join(this.dir, 'rootfs');
    for (const dir of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', IMAGE_DATA_DIR.slice(1)]) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync(busybox, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((name) => /^[a-z0-9[\]._-]+$/.test(name) && name !== 'busybox');
    for (const applet of applets) symlinkSync('busybox', join(root, 'bin', applet));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tar = join(this.dir, 'rootfs.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    this.podman(['import', '--quiet', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', tar, TEST_IMAGE]);
    rmSync(root, { recursive: true, force: true });
    rmSync(tar, { force: true });
  }
}
