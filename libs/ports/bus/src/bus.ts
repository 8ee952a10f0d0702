import type { IntegrationEvent } from './envelope';

/** Remembers which event ids a consumer group has handled, so redelivery is harmless. */
export interface DedupeStore {
  has(group: string, eventId: string): Promise<boolean>;
  add(group: string, eventId: string): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts in all, the first included, before the message is dead-lettered. */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialBackoffMs: 100, maxBackoffMs: 5000 };

export interface HandlerContext {
  /** 1 on first delivery to the handler, then 2, 3... on retries. */
  attempt: number;
}

export interface BusSubscribeOptions {
  /** Consumer group: each group gets every event; members of one group share the partitions. */
  group: string;
  handler(event: IntegrationEvent, context: HandlerContext): Promise<void>;
  /** Start from the oldest retained message when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  retry?: Partial<RetryPolicy>;
  /**
   * Consumer-side deduplication by event id. Defaults to an in-memory store; pass `false` when the
   * handler deduplicates itself (projections do, in the same transaction as their change).
   */
  dedupe?: DedupeStore | false;
}

export interface BusBatchSubscribeOptions {
  /** Consumer group, as for `subscribe`. */
  group: string;
  /**
   * Called with consecutive valid events of one partition (one key's events always in their order).
   * The handler deals with events it cannot apply itself (projections park them); a rejection means
   * "cannot process now" (a database that is down): the same events are offered again after a
   * backoff for as long as it takes, and nothing is dead-lettered for it. Invalid messages never
   * reach it: they are dead-lettered with their reason, as for `subscribe`.
   */
  handleBatch(events: IntegrationEvent[]): Promise<void>;
  /** Start from the oldest retained message when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Backoff between attempts of a failing batch (default 100 ms doubling to 5 s). */
  retry?: { initialBackoffMs?: number; maxBackoffMs?: number };
  /** Most events per call (default 500). */
  maxBatchSize?: number;
  /** Reports each failed attempt of a batch (default console.error). */
  onBatchError?(error: unknown, attempt: number): void;
}

export interface BusSubscription {
  stop(): Promise<void>;
}

export interface DeadLetter {
  group: string;
  reason: string;
  /** The message exactly as it was received. */
  raw: string;
  sourceTopic: string;
  failedAt: string;
}

/**
 * The integration bus port: publish integration events keyed by customer id, subscribe as a named
 * consumer group. At-least-once, ordered per key; handler failures are retried with backoff, then
 * dead-lettered (`<prefix>dlq.<group>`) with the reason, and the consumer moves on. Invalid or
 * unknown messages are dead-lettered without retries.
 */
export interface IntegrationBus {
  /** Validates every event, then resolves once the bus has durably accepted all of them. */
  publish(events: readonly IntegrationEvent[]): Promise<void>;
  subscribe(options: BusSubscribeOptions): Promise<BusSubscription>;
  /**
   * Consumes as a group in batches: for consumers that apply many events in one transaction
   * (projections). Resolves once the subscription is set up; joining the group may finish later.
   */
  subscribeBatch(options: BusBatchSubscribeOptions): Promise<BusSubscription>;
  /**
   * Optional (metrics): messages of the topic a consumer group has not committed yet, summed over
   * its partitions (high watermark − committed offset). Undefined where the bus cannot tell.
   */
  consumerLag?(group: string): Promise<number | undefined>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));
}

/** Bounded in-memory dedupe (per process): enough for redeliveries after a rebalance or retry. */
export class InMemoryDedupeStore implements DedupeStore {
  private readonly ids = new Map<string, true>();
  constructor(private readonly capacity = 100_000) {}
  async has(group: string, eventId: string): Promise<boolean> {
    return this.ids.has(`${group}\u0000${eventId}`);
  }
  async add(group: string, eventId: string): Promise<void> {
    this.ids.set(`${group}\u0000${eventId}`, true);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
  }
}
