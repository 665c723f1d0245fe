import { describe, expect, it } from 'vitest';
import { cgroup2MountsFrom, cgroupBaseCandidates, cgroupDirName, ownCgroupFrom } from './cgroup.js';

const hybrid = [
  '25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
].join('\n');
const pureV2 = '30 1 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';

describe('cgroup2MountsFrom', () => {
  it.each([
    ['hybrid layout', hybrid, ['/sys/fs/cgroup/unified']],
    ['pure v2', pureV2, ['/sys/fs/cgroup']],
    ['no cgroup2', '27 25 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory', []],
    ['escaped space', '1 1 0:1 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw', ['/mnt/my cg']],
    ['empty', '', []],
  ])('%s', (_label, text, expected) => {
    expect(cgroup2MountsFrom(text)).toEqual(expected);
  });
});

describe('ownCgroupFrom', () => {
  it.each([
    ['0::/\n', '/'],
    ['12:memory:/x\n0::/user.slice/user-1000.slice/session-2.scope\n', '/user.slice/user-1000.slice/session-2.scope'],
    ['4:memory:/x\n', null],
  ])('%j → %j', (text, expected) => {
    expect(ownCgroupFrom(text)).toBe(expected);
  });
});

describe('cgroupBaseCandidates', () => {
  it('prefers the pure-v2 mount, then the root of each mount, then under our own cgroup', () => {
    expect(cgroupBaseCandidates(['/mnt/other', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'], '/app.slice/x.scope')).toEqual([
      '/sys/fs/cgroup/sbx',
      '/sys/fs/cgroup/app.slice/x.scope/sbx',
      '/sys/fs/cgroup/unified/sbx',
      '/sys/fs/cgroup/unified/app.slice/x.scope/sbx',
      '/mnt/other/sbx',
      '/mnt/other/app.slice/x.scope/sbx',
    ]);
  });

  it('does not repeat the root when we sit at the root cgroup', () => {
    expect(cgroupBaseCandidates(['/sys/fs/cgroup/unified'], '/')).toEqual(['/sys/fs/cgroup/unified/sbx']);
  });
});

describe('cgroupDirName', () => {
  it.each([
    ['api.3.0a1b2c3d', 'api.3.0a1b2c3d'],
    ['a/../../etc', 'a_.._.._etc'],
    ['sp ace\nnl', 'sp_ace_nl'],
  ])('%j → %j', (tag, expected) => {
    expect(cgroupDirName(tag)).toBe(expected);
  });

  it('caps the length', () => {
    expect(cgroupDirName('x'.repeat(500))).toHaveLength(200);
  });
});
