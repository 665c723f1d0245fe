import { describe, expect, it } from 'vitest';
import type { OverlaySpec } from '../../manifest/types.js';
import { FakeOverlayCopier } from './fake-overlay-copier.js';

const spec = (name: string): OverlaySpec => ({ name, source: `/tpl/${name}`, target: `/work/${name}`, strategy: 'copy', ignore: [], immutable: [], needs: [] });

describe('FakeOverlayCopier', () => {
  it('completes by default with a stable digest per overlay', async () => {
    const copier = new FakeOverlayCopier();
    expect(copier.status('web')).toBe('pending');
    const result = await copier.sync(spec('web'));
    expect(result).toMatchObject({ status: 'complete', error: null, digest: await copier.digest(spec('web')) });
    expect(copier.status('web')).toBe('complete');
    expect(await copier.digest(spec('api'))).not.toBe(result.digest);
    expect(copier.syncCalls).toEqual(['web']);
  });

  it('holds a sync in progress until released, then reports the set outcome', async () => {
    const copier = new FakeOverlayCopier();
    copier.hold('web');
    copier.setOutcome('web', { status: 'failed', error: 'disk full', stats: { copied_files: 3 } });
    const pending = copier.sync(spec('web'));
    await Promise.resolve();
    expect(copier.status('web')).toBe('in_progress');
    copier.release('web');
    expect(await pending).toMatchObject({ status: 'failed', error: 'disk full', stats: { copied_files: 3 } });
    expect(copier.status('web')).toBe('failed');
  });

  it('reports the digest the test sets', async () => {
    const copier = new FakeOverlayCopier();
    copier.setDigest('web', 'v2');
    expect(await copier.digest(spec('web'))).toBe('v2');
    expect((await copier.sync(spec('web'))).digest).toBe('v2');
  });
});
