// Stopping a run: TERM every member, wait for the deadline, then KILL until nothing is left; never returns early.

import { setTimeout as delay } from 'node:timers/promises';
import { cgroupKill, cgroupPids, cgroupPopulated, removeRunCgroup } from './cgroup.js';
import { faultPoint } from '../shared/fault.js';

/** How often a stop re-checks the run's membership. */
export const STOP_POLL_MS = 15;

/** Outcome of one stop loop. */
export interface StopResult {
  escalated: boolean;
  /** Wall-clock ms when TERM went out: the grace period runs from here. */
  termAt: number;
}

/** Sends sig, ignoring processes that are already gone. */
export const signalPids = (pids: readonly number[], sig: NodeJS.Signals): void => {
  for (const pid of pids) {
    if (pid === process.pid || pid <= 1) continue;
    try {
      process.kill(pid, sig);
    } catch {
      // ESRCH: exited between the listing and the signal
    }
  }
};

/** TERM (plus CONT, so stopped processes see it) to every pid. */
const terminate = (pids: readonly number[]): void => {
  signalPids(pids, 'SIGTERM');
  signalPids(pids, 'SIGCONT');
};

/**
 * cgroup mode: TERM every member, poll cgroup.events until empty or the deadline, then cgroup.kill (or SIGKILL each
 * member when cgroup.kill is missing) until empty, then remove the cgroup.
 */
export const stopCgroupRun = async (dir: string, timeoutMs: number): Promise<StopResult> => {
  terminate(await cgroupPids(dir));
  faultPoint('mid-stop');
  // The grace period starts once TERM is sent, not before the membership read (which can take a while under load).
  const termAt = Date.now();
  const deadline = termAt + timeoutMs;
  let escalated = false;
  while (await cgroupPopulated(dir)) {
    if (Date.now() >= deadline) {
      escalated = true;
      if (!(await cgroupKill(dir))) signalPids(await cgroupPids(dir), 'SIGKILL');
    }
    await delay(STOP_POLL_MS);
  }
  await removeRunCgroup(dir);
  return { escalated, termAt };
};

/**
 * Tag mode (no writable cgroup): `find` lists the run's live processes (a fresh /proc scan for the tag on each call).
 * TERM all, wait, then SIGKILL and rescan until a scan finds none, so a kill wins against fork.
 */
export const stopTaggedRun = async (find: () => Promise<number[]>, timeoutMs: number): Promise<StopResult> => {
  let pids = await find();
  terminate(pids);
  faultPoint('mid-stop');
  const termAt = Date.now();
  const deadline = termAt + timeoutMs;
  let escalated = false;
  while (pids.length > 0) {
    if (Date.now() >= deadline) {
      escalated = true;
      signalPids(pids, 'SIGKILL');
    } else {
      await delay(STOP_POLL_MS);
    }
    pids = await find();
  }
  return { escalated, termAt };
};
