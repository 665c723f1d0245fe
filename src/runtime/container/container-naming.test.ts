import { describe, expect, it } from 'vitest';
import { containerLabels, containerName, projectKey } from './container-naming.js';

describe('containerName', () => {
  it.each([
    ['demo', 'web', 'r1abc', 'sbx-demo-web-r1abc'],
    ['My App!', 'db', 'r2', 'sbx-my-app-db-r2'],
    ['', 'db', 'r2', 'sbx-project-db-r2'],
    ['日本', 'db', 'r2', 'sbx-project-db-r2'],
    ['a-very-long-project-name-that-goes-on-and-on', 'x', 'r0', 'sbx-a-very-long-project-name-x-r0'],
  ])('(%j, %s, %s) → %s', (project, unit, runId, name) => {
    expect(containerName(project, unit, runId)).toBe(name);
  });

  it.each([
    ['$(id)', 'r1'],
    ['Web', 'r1'],
    ['-web', 'r1'],
    ['web', '--privileged'],
    ['web', 'r 1'],
    ['web', ''],
  ])('refuses unit %j with run id %j', (unit, runId) => {
    expect(() => containerName('demo', unit, runId)).toThrow(/cannot name a container/);
  });
});

describe('projectKey and labels', () => {
  it('keeps projects whose slugs collide apart', () => {
    expect(projectKey('my app')).not.toBe(projectKey('my-app'));
    expect(projectKey('my app')).toMatch(/^my-app-[0-9a-f]{8}$/);
    expect(projectKey('my app')).toBe(projectKey('my app'));
  });

  it('labels project, unit and run', () => {
    expect(containerLabels('demo', 'web', 'r1')).toEqual({ 'sbx.project': projectKey('demo'), 'sbx.unit': 'web', 'sbx.run': 'r1' });
  });
});
