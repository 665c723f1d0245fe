import { describe, expect, it } from 'vitest';
import { declaredManifest, projectNameOf } from './declarations.js';
import { SbxError } from './errors.js';

describe('declaredManifest', () => {
  it('turns the seed’s servers + overlays into a manifest: absolute paths, named overlays, servers wait for their overlays', () => {
    const doc = declaredManifest('/proj', 'proj', {
      overlays: [{ source: '/templates/nextjs', target: '/app', strategy: 'smart' }],
      servers: [
        { slug: 'dev', install: 'npm install', start: 'npm run dev', path: '/app', health_check: { path: '/' } },
        { slug: 'docs', start: 'npm run docs', path: '/app/docs' },
        { slug: 'api', start: 'node server.js' },
      ],
    });
    expect(doc).toEqual({
      version: 1,
      name: 'proj',
      overlays: [{ name: 'overlay-1', source: '/templates/nextjs', target: '/app', strategy: 'smart' }],
      servers: {
        dev: { install: 'npm install', start: 'npm run dev', path: '/app', health_check: { path: '/' }, needs: ['overlay-1'] },
        docs: { start: 'npm run docs', path: '/app/docs', needs: ['overlay-1'] },
        api: { start: 'node server.js', path: '/proj' },
      },
    });
  });

  const cases: { name: string; input: Parameters<typeof declaredManifest>[2]; expected: Record<string, unknown> }[] = [
    {
      name: 'relative paths resolve against the project folder, inline overlays too',
      input: { servers: [{ slug: 'web', start: 'x', path: 'site', overlay: { source: 'tpl', target: 'site' } }] },
      expected: { web: { start: 'x', path: '/proj/site', overlay: { source: '/proj/tpl', target: '/proj/site' } } },
    },
    {
      name: 'an overlay inside the server’s path is waited for; an explicit need is not repeated',
      input: {
        overlays: [{ name: 'assets', source: '/a', target: '/proj/public' }],
        servers: [{ slug: 'web', start: 'x', needs: [{ name: 'assets', restart: true }] }],
      },
      expected: { web: { start: 'x', path: '/proj', needs: [{ name: 'assets', restart: true }] } },
    },
    {
      name: 'a sibling folder is not an overlap',
      input: { overlays: [{ source: '/t', target: '/app2' }], servers: [{ slug: 'web', start: 'x', path: '/app' }] },
      expected: { web: { start: 'x', path: '/app' } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(declaredManifest('/proj', 'proj', c.input).servers).toEqual(c.expected);
    });
  }

  const bad: { name: string; input: unknown; field: string }[] = [
    { name: 'a server without slug', input: { servers: [{ start: 'x' }] }, field: 'servers[0].slug' },
    { name: 'a server without start', input: { servers: [{ slug: 'a' }] }, field: 'servers[0].start' },
    { name: 'a slug declared twice', input: { servers: [{ slug: 'a', start: 'x' }, { slug: 'a', start: 'y' }] }, field: 'servers[1].slug' },
    { name: 'an overlay without target', input: { overlays: [{ source: '/s' }] }, field: 'overlays[0].target' },
  ];
  for (const b of bad) {
    it(`refuses ${b.name}, naming the field`, () => {
      const run = (): unknown => declaredManifest('/proj', 'proj', b.input as Parameters<typeof declaredManifest>[2]);
      expect(run).toThrow(SbxError);
      try {
        run();
      } catch (error) {
        expect(error).toMatchObject({ status: 0, code: 'invalid-option', field: b.field });
      }
    });
  }
});

describe('projectNameOf', () => {
  it.each([
    ['my-app', 'my-app'],
    ['My App!', 'My-App-'],
    ['.hidden', 'hidden'],
    ['', 'sandbox'],
  ])('%j -> %j', (folder, name) => {
    expect(projectNameOf(folder)).toBe(name);
  });
});
