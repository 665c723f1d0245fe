import { describe, expect, it } from 'vitest';
import { CGROUP_ENTRY_NAME, CGROUP_ENTRY_SCRIPT, buildLaunchArgv } from './launch-argv.js';

describe('buildLaunchArgv', () => {
  const argv = ['node', 'server.js', '$(touch /tmp/x)', '--', '-x'];

  it.each([
    ['plain', null, [], argv],
    ['user switch only', null, ['/usr/bin/setpriv', '--reuid=1', '--'], ['/usr/bin/setpriv', '--reuid=1', '--', ...argv]],
    ['cgroup only', '/cg/sbx/a.1', [], ['/bin/sh', '-c', CGROUP_ENTRY_SCRIPT, CGROUP_ENTRY_NAME, '/cg/sbx/a.1', ...argv]],
    [
      'cgroup then user switch',
      '/cg/sbx/a.1',
      ['/usr/bin/setpriv', '--'],
      ['/bin/sh', '-c', CGROUP_ENTRY_SCRIPT, CGROUP_ENTRY_NAME, '/cg/sbx/a.1', '/usr/bin/setpriv', '--', ...argv],
    ],
  ])('%s: the unit argv comes last, verbatim', (_label, cgroupDir, userPrefix, expected) => {
    expect(buildLaunchArgv(argv, { cgroupDir, userPrefix })).toEqual(expected);
  });

  it('the entry script only references positional parameters', () => {
    expect(CGROUP_ENTRY_SCRIPT).toBe('echo $$ > "$1/cgroup.procs" || exit 125; shift; exec "$@"');
  });
});
