import type { QueryClient, QueryKey } from '@tanstack/react-query';

export interface RefetchUntilOptions {
  /** How long to keep asking (default 10 s): a read model is normally behind by milliseconds. */
  timeoutMs?: number;
  /** Between two asks (default 250 ms). */
  intervalMs?: number;
}

/**
 * The lists and pages the console reads are read models: the services project them from the event
 * store a moment after a command is answered, so a list fetched right after the answer may still
 * show the state before it (an accepted lead still offered, a new deal not yet listed). Refreshing
 * once is a race the person loses now and then; this asks again, every `intervalMs`, while the
 * mounted queries under `queryKey` do not show the command's effect yet (`shows`), and gives up
 * after `timeoutMs` (the queries stay invalidated: the next focus or visit asks again).
 *
 * Resolves `true` once one of them shows it — or when none is mounted (nothing on screen to wait
 * for) — and `false` on giving up. Await it in a mutation's `onSuccess`: the command's button keeps
 * its pending state until the page shows what it did.
 */
export async function refetchUntil<T>(
  client: QueryClient,
  queryKey: QueryKey,
  shows: (data: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 250 }: RefetchUntilOptions = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  await client.invalidateQueries({ queryKey, refetchType: 'none' });
  for (;;) {
    const mounted = client.getQueryCache().findAll({ queryKey, type: 'active' });
    if (mounted.length === 0) return true;
    await client.refetchQueries({ queryKey, type: 'active' }, { throwOnError: false });
    if (mounted.some((q) => q.state.status === 'success' && shows(q.state.data as T))) return true;
    if (Date.now() >= deadline) {
      await client.invalidateQueries({ queryKey, refetchType: 'none' });
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
