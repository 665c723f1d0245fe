// cgroup v2 per run: the only container that reliably holds a unit's setsid'd and double-forked descendants.

import { constants, writeFileSync } from 'node:fs';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Lines of /proc/self/mountinfo → mount points of cgroup2 filesystems, in file order. */
export const cgroup2MountsFrom = (mountinfo: string): string[] => {
  const mounts: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fsType = line.slice(sep + 3).split(' ')[0];
    const mountPoint = line.slice(0, sep).split(' ')[4];
    if (fsType === 'cgroup2' && mountPoint) mounts.push(mountPoint.replace(/\\040/g, ' '));
  }
  return mounts;
};

/** The v2 path of this process from /proc/self/cgroup ("0::/some/path"), or null. */
export const ownCgroupFrom = (procSelfCgroup: string): string | null => {
  for (const line of procSelfCgroup.split('\n')) if (line.startsWith('0::')) return line.slice(3) || '/';
  return null;
};

/** Orders candidate parents for sbx's subtree: the pure-v2 mount first, then hybrid ones; at the root, then under our own cgroup (delegated subtrees for non-root users). */
export const cgroupBaseCandidates = (mounts: string[], ownCgroup: string | null): string[] => {
  const ordered = [...mounts].sort((a, b) => rank(a) - rank(b));
  const bases: string[] = [];
  for (const mount of ordered) {
    bases.push(join(mount, 'sbx'));
    if (ownCgroup && ownCgroup !== '/') bases.push(join(mount, ownCgroup, 'sbx'));
  }
  return bases;
};

const rank = (mount: string): number => (mount === '/sys/fs/cgroup' ? 0 : mount === '/sys/fs/cgroup/unified' ? 1 : 2);

/** Makes a run tag safe as a single cgroup directory name. */
export const cgroupDirName = (tag: string): string => tag.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);

/**
 * Finds a writable parent directory for per-run cgroups, creating `<mount>/sbx` when allowed; null when none can be
 * written (then the runner falls back to the environment tag). Checks what moving a process needs: write access to
 * the base and to the cgroup.procs of the source's common ancestor.
 */
export const detectCgroupBase = async (): Promise<string | null> => {
  let mountinfo: string;
  let own: string | null;
  try {
    mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    own = ownCgroupFrom(await readFile('/proc/self/cgroup', 'utf8'));
  } catch {
    return null;
  }
  for (const base of cgroupBaseCandidates(cgroup2MountsFrom(mountinfo), own)) {
    try {
      await mkdir(base, { recursive: true });
      await access(join(base, 'cgroup.procs'), constants.W_OK);
      // Moving a process needs write access at the common ancestor of its old and new cgroup: base's parent.
      await access(join(dirname(base), 'cgroup.procs'), constants.W_OK);
      return base;
    } catch {
      // not writable here: try the next candidate
    }
  }
  return null;
};

/** Creates the run's leaf cgroup; the caller moves the leader in before it can fork. */
export const createRunCgroup = async (base: string, tag: string): Promise<string> => {
  const dir = join(base, cgroupDirName(tag));
  await mkdir(dir);
  return dir;
};

/** Pids in the cgroup (live ones only: exited processes leave at exit, even before they are reaped); [] when it is gone. */
export const cgroupPids = async (dir: string): Promise<number[]> => {
  try {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  } catch {
    return [];
  }
};

/** True while any process lives in the cgroup (or its children); false when it is empty or gone. */
export const cgroupPopulated = async (dir: string): Promise<boolean> => {
  try {
    const events = await readFile(join(dir, 'cgroup.events'), 'utf8');
    return /^populated 1$/m.test(events);
  } catch {
    return false;
  }
};

/** SIGKILLs every member at once through cgroup.kill (Linux ≥ 5.14, wins against fork); false when unavailable. */
export const cgroupKill = async (dir: string): Promise<boolean> => {
  try {
    await writeFile(join(dir, 'cgroup.kill'), '1');
    return true;
  } catch {
    return false;
  }
};

/** Removes the run's cgroup if it is empty; a populated or missing one is left alone. */
export const removeRunCgroup = async (dir: string): Promise<void> => {
  try {
    await rmdir(dir);
  } catch {
    // populated (EBUSY) or already removed (ENOENT)
  }
};

/** Moves pid into the cgroup now (synchronously); a process that already exited is not an error. */
export const joinCgroupSync = (dir: string, pid: number): void => {
  try {
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
};
