/**
 * The address's query with one parameter set (or removed, for null or ''), read from the address as
 * it is now, not from a render's `useSearchParams()`. The router applies a change in a transition:
 * a second filter changed before the page re-rendered would otherwise start from the params the
 * first change had not reached yet, and undo it.
 */
export function withParam(key: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(window.location.search);
  if (value) next.set(key, value);
  else next.delete(key);
  return next;
}
