import type { Clock } from '@crm/kernel';

export interface FailedAttemptLimits {
  /** Failed attempts one client id may make in the window before it is refused. */
  perClient: number;
  /** Failed attempts one network address may make in the window (any client ids). */
  perAddress: number;
  windowMs: number;
}

/** Keys kept at most, per kind: a flood of made-up client ids or addresses cannot grow memory without bound. */
const MAX_KEYS = 10_000;

/**
 * Failed token requests per client id and per network address over a sliding window (issue 14 §1):
 * once either has `limit` failures in the last `windowMs`, further requests from it are refused
 * (429 with `Retry-After`: when the oldest failure in the window expires) before the secret is
 * checked, so guessing stays slow whoever is asked. A success clears the client's failures (its
 * owner got in), not the address's (a guesser who owns one client must not reset the count for the
 * others). Kept in the process's memory: each instance counts on its own, so a guesser spreading
 * requests over N instances gets N times the limit — still bounded, and said in docs/partners.md.
 * Time comes from the injected clock, so tests control the window.
 */
export class FailedAttemptLimiter {
  private readonly byClient = new Map<string, number[]>();
  private readonly byAddress = new Map<string, number[]>();

  constructor(
    private readonly limits: FailedAttemptLimits,
    private readonly clock: Clock,
  ) {}

  /** Seconds until a request from this client and address may be tried again, or 0 when it may now. */
  retryAfterSeconds(clientId: string, address: string): number {
    const now = this.clock.now().getTime();
    const wait = Math.max(this.waitMs(this.byClient, clientId, this.limits.perClient, now), this.waitMs(this.byAddress, address, this.limits.perAddress, now));
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  failed(clientId: string, address: string): void {
    const now = this.clock.now().getTime();
    this.record(this.byClient, clientId, now);
    this.record(this.byAddress, address, now);
  }

  succeeded(clientId: string): void {
    this.byClient.delete(clientId);
  }

  private waitMs(map: Map<string, number[]>, key: string, limit: number, now: number): number {
    const times = this.live(map, key, now);
    if (times.length < limit) return 0;
    // The request may come again when enough failures left the window to be under the limit.
    return times[times.length - limit] + this.limits.windowMs - now;
  }

  private record(map: Map<string, number[]>, key: string, now: number): void {
    const times = this.live(map, key, now);
    times.push(now);
    // Only the last `limit` failures decide anything; older ones need not be kept.
    const keep = Math.max(this.limits.perClient, this.limits.perAddress);
    if (times.length > keep) times.splice(0, times.length - keep);
    map.delete(key);
    map.set(key, times);
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value as string);
  }

  /** The key's failures still in the window (older ones dropped). */
  private live(map: Map<string, number[]>, key: string, now: number): number[] {
    const times = map.get(key) ?? [];
    const from = now - this.limits.windowMs;
    while (times.length > 0 && times[0] <= from) times.shift();
    if (times.length === 0) map.delete(key);
    return times;
  }
}
