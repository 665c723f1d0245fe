// Parses durations people type on the command line: `90s`, `2m`, `500ms`, `1.5h`, or a bare number of seconds.

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a duration string, or null when it is not one. */
export const parseDuration = (text: string): number | null => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unit = UNITS[match[2] ?? 's'] ?? 1_000;
  return Math.round(value * unit);
};
