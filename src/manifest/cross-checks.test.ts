import { describe, expect, it } from 'vitest';
import { unitSpec } from '../engine/testing/spec-builder.js';
import { checkOverlayTargets, checkPorts } from './cross-checks.js';
import type { OverlaySpec } from './types.js';

const locate = () => ({ file: '/p/sandbox.yaml', line: 1, col: 1 });
const overlay = (target: string, source = '/p/tpl'): OverlaySpec => ({ name: 'o', source, target, strategy: 'copy', ignore: [], immutable: [], needs: [] });

describe('checkPorts', () => {
  it.each([
    ['two strict units on one port', [{ port: 4000, strict_port: true }, { port: 4000, strict_port: true }], 1],
    ['one strict, one not', [{ port: 4000, strict_port: true }, { port: 4000, strict_port: false }], 1],
    ['two non-strict (the second takes the next free port)', [{ port: 4000, strict_port: false }, { port: 4000, strict_port: false }], 0],
    ['different ports', [{ port: 4000, strict_port: true }, { port: 4001, strict_port: true }], 0],
  ])('%s → %i error(s)', (_what, ports, errors) => {
    const units = ports.map((p, i) => ({ spec: unitSpec(`u${i}`, p), base: ['services', `u${i}`] }));
    const found = checkPorts(units, locate);
    expect(found).toHaveLength(errors);
    for (const d of found) expect(d).toMatchObject({ code: 'duplicate-port', field: 'services.u1.port' });
  });
});

describe('checkOverlayTargets', () => {
  it.each([
    ['/', 'is the file system root'],
    ['/p', 'is the project folder'],
    ['/home', null],
    ['/app', null],
    ['/p/.work/tpl', null],
    ['/p/tpl/out', 'overlaps its own source'],
  ])('target %s → %s', (target, problem) => {
    const found = checkOverlayTargets([{ spec: overlay(target), at: ['overlays', 0] }], '/p', locate);
    if (problem === null) expect(found).toEqual([]);
    else expect(found[0]?.message).toContain(problem);
  });

  it('refuses a target that holds the project folder', () => {
    const found = checkOverlayTargets([{ spec: overlay('/'), at: ['overlays', 0] }, { spec: overlay('/srv'), at: ['overlays', 1] }], '/srv/p', locate);
    expect(found.map((d) => d.message)).toEqual(['overlay o: target / is the file system root', 'overlay o: target /srv holds the project folder /srv/p']);
  });
});
