const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a duration like `90`, `90s`, `15m`, `8h`, `7d`. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`duration ${value} must be a positive number of seconds`);
    return value;
  }
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(value);
  if (!match) throw new RangeError(`"${value}" is not a duration (e.g. 90s, 15m, 8h, 7d)`);
  const seconds = Number(match[1]) * UNITS[match[2] || 's'];
  if (seconds <= 0) throw new RangeError(`duration "${value}" must be positive`);
  return seconds;
}
