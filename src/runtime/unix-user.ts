// Resolving a unit's `user` from /etc/passwd and /etc/group: fail closed, never fall back to root.

import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';

/** Who a run executes as: uid, primary gid and the full supplementary group list (what initgroups(3) would set). */
export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
  /** Primary gid first, then every group listing the user as a member; no duplicates. */
  groups: number[];
}

const ID = /^\d+$/;

/** Parses /etc/passwd into name → {uid, gid}; malformed lines are ignored. */
export const parsePasswd = (text: string): Map<string, { uid: number; gid: number }> => {
  const users = new Map<string, { uid: number; gid: number }>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, , uid, gid] = line.split(':');
    if (!name || !uid || !gid || !ID.test(uid) || !ID.test(gid) || users.has(name)) continue;
    users.set(name, { uid: Number(uid), gid: Number(gid) });
  }
  return users;
};

/** Parses /etc/group into (gid, members) entries; malformed lines are ignored. */
export const parseGroup = (text: string): { gid: number; members: string[] }[] => {
  const groups: { gid: number; members: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, , gid, members = ''] = line.split(':');
    if (!name || !gid || !ID.test(gid)) continue;
    groups.push({ gid: Number(gid), members: members.split(',').filter((m) => m !== '') });
  }
  return groups;
};

/** Looks a user up by exact name (never as a number: "1000" is a name like any other); null when unknown. */
export const lookupUser = (name: string, passwd: string, group: string): UnixUser | null => {
  const entry = parsePasswd(passwd).get(name);
  if (!entry) return null;
  const groups = [entry.gid];
  for (const g of parseGroup(group)) if (g.members.includes(name) && !groups.includes(g.gid)) groups.push(g.gid);
  return { name, uid: entry.uid, gid: entry.gid, groups };
};

/** Reads the account databases and resolves `name`; null when the user does not exist. */
export const resolveUser = async (name: string, files = { passwd: '/etc/passwd', group: '/etc/group' }): Promise<UnixUser | null> => {
  const [passwd, group] = await Promise.all([readFile(files.passwd, 'utf8'), readFile(files.group, 'utf8').catch(() => '')]);
  return lookupUser(name, passwd, group);
};

/**
 * Argv prefix that switches to the user then execs the rest verbatim (util-linux setpriv; no shell, `--` ends its
 * options). Sets real, effective and saved ids and exactly the resolved groups; the kernel clears capabilities on the
 * switch away from uid 0, and --inh-caps=-all empties the inheritable set too.
 */
export const setprivPrefix = (setpriv: string, user: UnixUser): string[] => [
  setpriv,
  `--reuid=${user.uid}`,
  `--regid=${user.gid}`,
  `--groups=${user.groups.join(',')}`,
  '--inh-caps=-all',
  '--',
];

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv'];

/** Absolute path of setpriv, or null when util-linux's setpriv is not installed. */
export const findSetpriv = async (): Promise<string | null> => {
  for (const path of SETPRIV_PATHS) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // try the next location
    }
  }
  return null;
};
