// Test-only crash points (reliability S9): with SBX_FAULT=<point>[:<n>] in its environment, the process SIGKILLs itself
// the n-th time (default 1) it reaches <point> after the first apply request began (so start-up's own state writes do
// not count). The variable is read once at start-up and then removed from process.env, so units never inherit it;
// without it (always, in production) a fault point is one comparison.
//
// Points: after-state-write, after-spawn, health-wait, mid-stop, mid-overlay.

const parse = (text: string | undefined): { point: string; nth: number } | null => {
  if (!text) return null;
  const [point = '', nth = '1'] = text.split(':');
  const n = Number(nth);
  return point !== '' && Number.isInteger(n) && n >= 1 ? { point, nth: n } : null;
};

const armed = parse(process.env.SBX_FAULT);
delete process.env.SBX_FAULT;
let reached = 0;
let counting = false;

/** Starts counting fault points (the engine calls it when an apply begins). */
export const faultCountFromHere = (): void => {
  counting = armed !== null;
};

/** Marks a place a crash can be injected at; does nothing unless SBX_FAULT names it. */
export const faultPoint = (point: string): void => {
  if (!counting || armed === null || armed.point !== point) return;
  reached += 1;
  if (reached === armed.nth) process.kill(process.pid, 'SIGKILL');
};
