/** The as-of control's arithmetic (kept apart from the component so it is unit-tested without a browser). */

/** The last instant of a calendar day (`YYYY-MM-DD`) where the browser is: "as it stood on that day" is as it stood at its end. */
export function endOfDay(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 23, 59, 59, 999);
}

/** The slider's step for an instant: the last moment recorded by then (0 before the first). */
export function stepAt(moments: readonly string[], asOf: string): number {
  const at = Date.parse(asOf);
  let i = 0;
  while (i < moments.length && Date.parse(moments[i]!) < at) i++;
  return Math.max(0, i - 1);
}
