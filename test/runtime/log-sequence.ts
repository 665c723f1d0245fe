// Checks numbered-line logs straight from disk, frame by frame, without loading 200 MB of lines into memory.

import { closeSync, fstatSync, openSync } from 'node:fs';
import { framesBackward } from '../../src/runtime/log-file-reader.js';
import { logGenerations } from '../../src/runtime/log-rotation.js';
import type { LogStream } from '../../src/runtime/log-store.js';

/** What one stream's numbered lines look like on disk. */
export interface StreamScan {
  lines: number;
  /** Lowest and highest sequence number seen (-1 when none). */
  oldest: number;
  newest: number;
  /** The first few problems: gaps, duplicates, reordering, malformed or split lines. */
  problems: string[];
  /** How many files held lines of any stream. */
  files: number;
}

const seqAt = (buf: Buffer, start: number): number => {
  let v = 0;
  for (let i = start; i < start + 12; i++) {
    const d = (buf[i] ?? 0) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
};

/**
 * Walks every retained file of a unit from the newest line back, checking that each stream's lines (as written by
 * test/fixtures/log-flood.mjs: 12 digits then filler, 100 bytes) count down by exactly one across frames and files.
 */
export const scanSequences = async (unitDir: string, maxFiles: number, lineBytes = 100): Promise<Record<LogStream, StreamScan>> => {
  const scans: Record<LogStream, StreamScan> = {
    stdout: { lines: 0, oldest: -1, newest: -1, problems: [], files: 0 },
    stderr: { lines: 0, oldest: -1, newest: -1, problems: [], files: 0 },
  };
  let files = 0;
  for (const path of logGenerations(unitDir, maxFiles)) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      continue;
    }
    files++;
    const { size } = fstatSync(fd);
    for await (const { buf, frame } of framesBackward(fd, size)) {
      const scan = scans[frame.stream];
      const note = (problem: string): void => {
        if (scan.problems.length < 5) scan.problems.push(`${path}: ${problem}`);
      };
      if (frame.partial) note('a split line');
      const end = frame.dataStart + frame.length;
      if (frame.length % lineBytes !== 0) note(`a frame of ${frame.length} bytes is not whole ${lineBytes}-byte lines`);
      for (let start = end - lineBytes; start >= frame.dataStart; start -= lineBytes) {
        const seq = seqAt(buf, start);
        if (buf[start + lineBytes - 1] !== 10 || seq < 0) note(`malformed line at frame offset ${start - frame.dataStart}`);
        if (scan.newest === -1) scan.newest = seq;
        else if (seq !== scan.oldest - 1) note(`line ${seq} found before line ${scan.oldest}`);
        scan.oldest = seq;
        scan.lines++;
      }
    }
    closeSync(fd);
  }
  scans.stdout.files = files;
  scans.stderr.files = files;
  return scans;
};
