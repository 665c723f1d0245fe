// Fixture for overlay-race.test.ts: swaps target subdirectories for symlinks to an outside dir, as fast as it can.
// usage: node overlay-racer.mjs <target> <outside> <maxIterations> <rel>...
import fs from 'node:fs';
import path from 'node:path';

const [target, outside, max, ...subs] = process.argv.slice(2);
process.stdout.write('ready\n');
for (let i = 0; i < Number(max); i++) {
  const p = path.join(target, subs[i % subs.length]);
  const moved = `${p}.racer`;
  try {
    fs.renameSync(p, moved);
  } catch {}
  try {
    fs.symlinkSync(outside, p);
  } catch {}
  try {
    fs.lstatSync(p); // keeps the link in place a little longer
  } catch {}
  try {
    fs.unlinkSync(p);
  } catch {}
  try {
    fs.renameSync(moved, p);
  } catch {}
}
process.stdout.write('done\n');
