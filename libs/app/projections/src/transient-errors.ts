/**
 * Whether an error says "the infrastructure cannot do it now" (database down or restarting, a
 * connection lost, a deadlock or serialization failure) rather than "this event cannot be applied".
 * The first kind is retried with backoff for as long as it takes; the second parks the event. Taking
 * a database outage for a poison event would park good events, so anything connection-like counts
 * as transient.
 */
export function isTransientError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; name?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P0x operator
  // intervention (admin shutdown, crash shutdown, cannot connect now), 40001/40P01.
  if (/^(08|53)/.test(code) || /^57P0[1-4]$/.test(code) || code === '40001' || code === '40P01') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection (?:is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end|the database system is (?:starting up|shutting down)|terminating connection/i.test(
    message,
  );
}
