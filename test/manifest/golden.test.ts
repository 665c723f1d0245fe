// Golden tests: every bad manifest under golden/ renders exactly as its .txt says (UPDATE_GOLDEN=1 rewrites them).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDiagnostics } from '../../src/cli/render-diagnostics.js';
import { loadManifest } from '../../src/manifest/load.js';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const update = process.env.UPDATE_GOLDEN === '1';

describe('rendered diagnostics of bad manifests', () => {
  it('covers at least 25 distinct mistakes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('%s', async (name) => {
    const result = await loadManifest(join(dir, name), { env: { HOME: '/home/sbx' }, userExists: (user) => ['root', 'nobody'].includes(user) });
    expect(result.ok, `${name} should be rejected`).toBe(false);
    if (result.ok) return;
    expect(result.error.every((d) => d.location && d.location.line >= 1 && d.location.col >= 1), 'every diagnostic names a line and column').toBe(true);
    // Messages may quote absolute paths ("looked for /…/golden/.env"); the checkout's location is not part of the output.
    const rendered = renderDiagnostics(result.error, { cwd: dir, readSource: (file) => readFileSync(file, 'utf8') }).replaceAll(dir, '<golden>/');
    const golden = join(dir, name.replace(/\.yaml$/, '.txt'));
    if (update) writeFileSync(golden, rendered);
    expect(existsSync(golden), `${golden} is missing; run with UPDATE_GOLDEN=1 to create it`).toBe(true);
    expect(rendered).toBe(readFileSync(golden, 'utf8'));
  });
});
