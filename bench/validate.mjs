#!/usr/bin/env node
// Generates a 1,000-unit manifest in a temp dir and prints how long loading and validating it takes.
// Usage: npm run build && node bench/validate.mjs [units]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadManifest } from '../dist/manifest/load.js';

const count = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'sbx-bench-'));

const name = (i) => `unit-${String(i).padStart(4, '0')}`;
const needsOf = (i) => [i - 1, i - 7, i - 31].filter((j) => j >= 0).map(name);
const lines = ['version: 1', 'name: bench', 'env_file: .env', 'environment: { LOG_LEVEL: info }', 'overlays:', '  - { name: assets, source: ./assets, target: ./.work/assets, strategy: smart }', 'services:'];
for (let i = 0; i < count; i += 2) {
  lines.push(
    `  ${name(i)}:`,
    '    cmd: node',
    `    args: [worker.js, --id, "${i}", --greeting, "\${GREETING:-hi}"]`,
    `    env: { WORKER_ID: "${i}", API_TOKEN: secret-${i} }`,
    `    health_port: ${10000 + i}`,
    `    needs: [${[...needsOf(i), ...(i % 10 === 0 ? ['assets'] : [])].join(', ')}]`,
  );
}
lines.push('servers:');
for (let i = 1; i < count; i += 2) {
  lines.push(
    `  ${name(i)}:`,
    '    start: node server.js',
    `    port: ${20000 + i}`,
    '    env_file: [{ path: .env.local, required: false }]',
    `    environment: { UPSTREAM: "\${units.${name(i - 1)}.url}" }`,
    '    restart_policy: on-failure',
    '    health_check: { path: /health, interval_ms: 5000 }',
    `    needs: [${needsOf(i).join(', ')}]`,
  );
}
writeFileSync(join(dir, 'sandbox.yaml'), `${lines.join('\n')}\n`);
writeFileSync(join(dir, '.env'), 'GREETING=hello\nDATABASE_URL=postgres://localhost/bench\n');

const env = { PATH: process.env.PATH, HOME: process.env.HOME };
// Wall time, and CPU time (what this process itself spent: a fairer figure on a busy machine).
const time = async () => {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await loadManifest(join(dir, 'sandbox.yaml'), { env, userExists: () => true });
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - start;
  if (!result.ok) throw new Error(`bench manifest is invalid:\n${result.error.slice(0, 5).map((d) => d.message).join('\n')}`);
  return { ms, cpuMs: (used.user + used.system) / 1000, units: Object.keys(result.value.units).length };
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const cold = await time();
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(await time());
  console.log(`loaded and validated ${cold.units} units (${lines.length} manifest lines)`);
  console.log(`  first load (includes compiling the schema): ${cold.ms.toFixed(0)} ms wall, ${cold.cpuMs.toFixed(0)} ms CPU`);
  console.log(`  later loads, median of 5:                   ${median(warm.map((w) => w.ms)).toFixed(0)} ms wall, ${median(warm.map((w) => w.cpuMs)).toFixed(0)} ms CPU`);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(dir);
}
