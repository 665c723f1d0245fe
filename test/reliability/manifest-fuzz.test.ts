// Manifest fuzz (issue 6): 10,000 generated and mutated manifests through the loader's pure pipeline, in-process.
// Pass: no case throws, no case hangs (each under PER_CASE_MS, all under TOTAL_MS), and every rejection is made of
// diagnostics that each carry a location (file:line:col) or a field.
//
// Cases: valid-ish manifests from an arbitrary (test/reliability/fuzz/manifest-arbitrary.ts), then data mutations
// (deleted and renamed keys, wrong types, hostile strings with `${`, unicode, huge numbers, deep nesting) and text
// mutations (duplicate lines/keys, inserted YAML syntax, truncation, bounded alias bombs, deep flow nesting).
// The seed is random per run and printed; rerun a failure with FUZZ_SEED=<seed> (and FUZZ_PATH from the report).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/parse.js';
import { buildDesiredState } from '../../src/manifest/pipeline.js';
import type { Diagnostic } from '../../src/shared/diagnostic.js';
import { err, ok, type Result } from '../../src/shared/result.js';
import { caseText, fuzzCase, type FuzzCase } from './fuzz/manifest-arbitrary.js';

const RUNS = 10_000;
/** One case may take this long at most (the slowest legitimate case is well under it even on a loaded machine). */
const PER_CASE_MS = 2_000;
/** The whole run (2 cores shared with other suites). */
const TOTAL_MS = 400_000;

const FILE = '/p/demo/sandbox.yaml';

/** The pipeline with in-memory files: `.env` and `sub/.env` exist, anything else is missing. */
const load = (text: string, envFile: string): Result<unknown, Diagnostic[]> => {
  const parsed = parseManifest(text, FILE);
  if (!parsed.ok) return parsed;
  const files: Record<string, string> = { '/p/demo/.env': envFile, '/p/demo/sub/.env': envFile, '/p/outside.env': 'X=1\n' };
  return buildDesiredState(parsed.value, {
    env: { HOME: '/root', PATH: '/usr/bin:/bin', FOO: 'foo' },
    readFile: (path) => (path in files ? ok(files[path]!) : err({ missing: true, message: 'no such file' })),
    userExists: (name) => name === 'root' || name === 'nobody',
  });
};

/** Why a diagnostic is not acceptable, or null. */
const badDiagnostic = (d: Diagnostic): string | null => {
  if (typeof d.message !== 'string' || d.message.trim() === '') return 'empty message';
  const l = d.location;
  const located = l !== undefined && typeof l.file === 'string' && l.file !== '' && Number.isInteger(l.line) && l.line >= 1 && Number.isInteger(l.col) && l.col >= 1;
  const fielded = typeof d.field === 'string' && d.field !== '';
  if (!located && !fielded) return 'neither a location nor a field';
  return null;
};

describe('manifest loader fuzz', () => {
  it(`survives ${RUNS} generated and mutated manifests: no throw, no hang, every rejection located`, async () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
    const began = performance.now();
    let slowest = 0;
    let rejected = 0;
    let accepted = 0;
    let diagnostics = 0;
    let cases = 0;
    const property = fc.asyncProperty(fuzzCase, async (c: FuzzCase) => {
      // Yield now and then, so the worker keeps answering vitest while 10,000 synchronous loads run.
      if (++cases % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      const text = caseText(c);
      const start = performance.now();
      const result = load(text, c.envFile);
      const took = performance.now() - start;
      slowest = Math.max(slowest, took);
      if (took > PER_CASE_MS) throw new Error(`case took ${Math.round(took)} ms (limit ${PER_CASE_MS})`);
      if (result.ok) {
        accepted++;
        JSON.stringify(result.value);
        return;
      }
      rejected++;
      if (result.error.length === 0) throw new Error('rejected with no diagnostic');
      if (!result.error.some((d) => d.severity === 'error')) throw new Error('rejected with warnings only');
      for (const d of result.error) {
        diagnostics++;
        const why = badDiagnostic(d);
        if (why) throw new Error(`diagnostic ${JSON.stringify(d).slice(0, 400)}: ${why}`);
      }
    });
    const details = await fc.check(property, { numRuns: RUNS, seed, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}), endOnFailure: true });
    if (details.failed) {
      // The counterexample can hold 64 KiB strings: report the seed, path, error and the start of the YAML instead.
      const [failing] = details.counterexample ?? [];
      const text = failing ? caseText(failing) : '(none)';
      const error = details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance);
      throw new Error(
        `fuzz case failed (FUZZ_SEED=${seed} FUZZ_PATH=${details.counterexamplePath ?? ''}): ${error.slice(0, 1500)}\n` +
          `--- manifest (first 1500 of ${text.length} chars) ---\n${text.slice(0, 1500)}\n--- env file ---\n${JSON.stringify(failing?.envFile ?? '').slice(0, 200)}`,
      );
    }
    const total = performance.now() - began;
    console.log(
      `fuzz manifest loader: ${RUNS} cases (seed ${seed}), ${accepted} accepted, ${rejected} rejected with ${diagnostics} diagnostics, ` +
        `0 crashes, slowest case ${Math.round(slowest)} ms, total ${(total / 1000).toFixed(1)} s (pass: 0 crashes, every rejection located, case < ${PER_CASE_MS} ms)`,
    );
    expect(total).toBeLessThan(TOTAL_MS);
    expect(rejected).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  }, TOTAL_MS + 60_000);
});
