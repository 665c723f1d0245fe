import { describe, expect, it } from 'vitest';
import { lookupUser, parseGroup, parsePasswd, setprivPrefix } from './unix-user.js';

const passwd = [
  'root:x:0:0:root:/root:/bin/bash',
  '# comment',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'dev:x:1000:1000:Dev:/home/dev:/bin/bash',
  'broken:x:abc:1:bad uid',
  'short:x:5',
  'dev:x:0:0:duplicate must not win:/:/bin/sh',
].join('\n');
const group = ['root:x:0:', 'nogroup:x:65534:', 'dev:x:1000:', 'docker:x:999:dev,ops', 'audio:x:29:ops,dev', 'bad:x:zz:dev'].join('\n');

describe('parsePasswd / parseGroup', () => {
  it('keeps well-formed entries, first one wins', () => {
    expect([...parsePasswd(passwd).entries()]).toEqual([
      ['root', { uid: 0, gid: 0 }],
      ['nobody', { uid: 65534, gid: 65534 }],
      ['dev', { uid: 1000, gid: 1000 }],
    ]);
    expect(parseGroup(group).map((g) => g.gid)).toEqual([0, 65534, 1000, 999, 29]);
  });
});

describe('lookupUser', () => {
  it.each([
    ['nobody', { name: 'nobody', uid: 65534, gid: 65534, groups: [65534] }],
    ['dev', { name: 'dev', uid: 1000, gid: 1000, groups: [1000, 999, 29] }],
    ['root', { name: 'root', uid: 0, gid: 0, groups: [0] }],
  ])('resolves %s with its primary and supplementary groups', (name, expected) => {
    expect(lookupUser(name, passwd, group)).toEqual(expected);
  });

  it.each(['65534', '0', ' nobody', 'nobody ', 'NOBODY', '', 'broken', 'short', 'nobody:x', '0day'])('refuses %j (never read as a uid)', (name) => {
    expect(lookupUser(name, passwd, group)).toBeNull();
  });
});

describe('setprivPrefix', () => {
  it('sets real/effective/saved ids and exactly the resolved groups, then ends options', () => {
    expect(setprivPrefix('/usr/bin/setpriv', { name: 'dev', uid: 1000, gid: 1000, groups: [1000, 999] })).toEqual([
      '/usr/bin/setpriv',
      '--reuid=1000',
      '--regid=1000',
      '--groups=1000,999',
      '--inh-caps=-all',
      '--',
    ]);
  });
});
