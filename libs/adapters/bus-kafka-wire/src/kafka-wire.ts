import { serializeEnvelope, type DeadLetter, type IntegrationEvent, type IntegrationEventRegistry } from '@crm/bus';

// What the Kafka bus adapters (kafkajs, @platformatic/kafka) share whatever client they use: the
// topic names, the message a published event becomes, the dead-letter headers and how a dead letter
// is written and read back. Both adapters keep to it, so they can share a topic and its DLQs (a
// rolling change of CRM_KAFKA_CLIENT mixes them for a while).

export const DEFAULT_TOPIC = 'crm.customer-events';
export const DEFAULT_DLQ_PREFIX = 'crm.dlq.';

/** Headers of a dead-letter message (its value and key are those of the original message). */
export const DLQ_HEADERS = {
  reason: 'crm-dlq-reason',
  sourceTopic: 'crm-dlq-source-topic',
  sourcePartition: 'crm-dlq-source-partition',
  sourceOffset: 'crm-dlq-source-offset',
  group: 'crm-dlq-group',
  failedAt: 'crm-dlq-failed-at',
} as const;

/** The options both Kafka bus adapters take (the platform builds them from the CRM_KAFKA_* settings). */
export interface KafkaBusCommonOptions {
  brokers: string[];
  clientId: string;
  /** The integration event topic (default `crm.customer-events`). */
  topic?: string;
  /** Partitions of topics this bus creates (default 6). */
  partitions?: number;
  /** Replication factor of topics this bus creates (default 1). */
  replicationFactor?: number;
  /** Dead-letter topic of group G: `${dlqPrefix}${G}` (default `crm.dlq.`). */
  dlqPrefix?: string;
  /**
   * Longest a consumer's fetch waits at the broker for new messages (default 5000 ms). `stop()`
   * waits for the fetch in flight, so a lower value stops faster at the cost of more requests while idle.
   */
  maxWaitTimeInMs?: number;
  /** Partitions a consumer works on concurrently, each one still sequentially (default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * A consumer's session: a member that stops heartbeating (killed) leaves the group after this,
   * and a restarted member waits for that before the group rebalances. Default 6000 ms (the
   * broker's default minimum, group.min.session.timeout.ms).
   */
  sessionTimeoutMs?: number;
  /** Heartbeat interval; default a sixth of the session timeout. */
  heartbeatIntervalMs?: number;
  /**
   * A consumer that shows no sign of life for this long is replaced by a new one, and `ping()` fails
   * meanwhile (each adapter says what counts as life). Default 30 s: several fetch waits and heartbeats.
   */
  stallAfterMs?: number;
  /** Where the bus reports problems it recovers from (default console.error). */
  onError?(message: string, error: unknown): void;
  /** TLS to the brokers: `true` (system CAs) or the CA certificates (PEM) to trust. Default plaintext. */
  ssl?: true | { ca: string[] };
  /** SASL authentication, e.g. a Strimzi KafkaUser's SCRAM-SHA-512 credentials. Default none. */
  sasl?: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string };
}

/** Throws naming every consumer that is down and why (what `ping()` adds to the broker check). */
export function assertConsumersUp(consumers: Iterable<{ group: string; stopping: boolean; down(): string | undefined }>): void {
  const down = [...consumers].flatMap((c) => {
    const why = c.stopping ? undefined : c.down();
    return why ? [`consumer of group ${c.group}: ${why}`] : [];
  });
  if (down.length > 0) throw new Error(`kafka ${down.join('; ')}`);
}

/** A restarted consumer waits this long first (a broker that crashed it needs a moment). */
export const CONSUMER_RESTART_MS = 5000;

export interface KafkaWireMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * The messages of `events`, each validated in its serialized form (exactly what consumers receive)
 * before any is sent: keyed by subject (the customer id, so a customer's events share a partition and
 * keep their order), with the CloudEvents type, id and specversion as headers. Throws
 * InvalidIntegrationEventError for the first invalid event.
 */
export function encodeEvents(registry: IntegrationEventRegistry, events: readonly IntegrationEvent[]): KafkaWireMessage[] {
  return events.map((event) => {
    const value = serializeEnvelope(event);
    const valid = registry.parse(value);
    return { key: valid.subject, value, headers: { ce_type: valid.type, ce_id: valid.id, ce_specversion: valid.specversion } };
  });
}

/** The headers a dead letter carries: why, where it came from, for which group, when. */
export function deadLetterHeaders(letter: { reason: string; topic: string; partition: number; offset: string; group: string }): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: letter.reason,
    [DLQ_HEADERS.sourceTopic]: letter.topic,
    [DLQ_HEADERS.sourcePartition]: String(letter.partition),
    [DLQ_HEADERS.sourceOffset]: letter.offset,
    [DLQ_HEADERS.group]: letter.group,
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
  };
}

/** A dead letter from a message of a dead-letter topic: `header(name)` gives a header's value or ''. */
export function deadLetterOf(dlqTopic: string, raw: string, header: (name: string) => string): DeadLetter {
  const groupFromTopic = dlqTopic.startsWith(DEFAULT_DLQ_PREFIX) ? dlqTopic.slice(DEFAULT_DLQ_PREFIX.length) : '';
  return {
    group: header(DLQ_HEADERS.group) || groupFromTopic,
    reason: header(DLQ_HEADERS.reason),
    raw,
    sourceTopic: header(DLQ_HEADERS.sourceTopic),
    failedAt: header(DLQ_HEADERS.failedAt),
  };
}

const DLQ_RETRY_INITIAL_MS = 200;
const DLQ_RETRY_MAX_MS = 10000;

/**
 * Writes a dead letter durably: `send` is tried again with backoff until it succeeds, or rethrows
 * once `givingUp()` (the subscription stops, the bus closes) — then the message's offset is not
 * committed and whoever consumes next dead-letters it again.
 */
export async function sendDeadLetter(
  send: () => Promise<unknown>,
  options: { dlqTopic: string; givingUp(): boolean; onError(message: string, error: unknown): void },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (error) {
      if (options.givingUp()) throw error;
      options.onError(`writing a dead letter to ${options.dlqTopic} failed (attempt ${attempt}); retrying`, error);
      await delay(Math.min(DLQ_RETRY_MAX_MS, DLQ_RETRY_INITIAL_MS * 2 ** (attempt - 1)));
    }
  }
}

/** Thrown by a topic check that found partitions without a leader yet: worth another try. */
export class LeaderlessTopicError extends Error {
  constructor(topic: string) {
    super(`topic ${topic} has partitions without a leader`);
  }
}

/**
 * Makes sure a topic exists with leaders on every partition, once per bus (`cache`): `attempt`
 * creates it if missing and checks the leaders. Several processes start at once and race to create
 * the topic, and the losers may see it before its partitions have leaders, so an attempt that fails
 * with a `LeaderlessTopicError` or an error `retriable(error)` accepts is tried again, for 60 s at
 * most. A failure is not cached: the next call tries again.
 */
export function ensureTopicOnce(
  cache: Map<string, Promise<void>>,
  topic: string,
  attempt: () => Promise<void>,
  retriable: (error: unknown) => boolean,
): Promise<void> {
  let ready = cache.get(topic);
  if (!ready) {
    ready = (async () => {
      const deadline = Date.now() + 60_000;
      for (let n = 1; ; n++) {
        try {
          return await attempt();
        } catch (error) {
          if (!(error instanceof LeaderlessTopicError || retriable(error)) || Date.now() > deadline) throw error;
          await delay(Math.min(2000, 100 * n));
        }
      }
    })();
    cache.set(topic, ready);
    ready.catch(() => cache.delete(topic));
  }
  return ready;
}

/** One partition's offsets as the admin APIs report them: high and low watermarks, the group's committed offset (negative or absent: none). */
export interface PartitionOffsets {
  readonly high: bigint;
  readonly low: bigint;
  readonly committed?: bigint;
}

/**
 * A consumer group's lag on a topic, the same arithmetic for both clients: per partition the high
 * watermark minus the committed offset — from the low watermark when the group committed nothing
 * there yet (a retention-trimmed topic has nothing older to read) — summed.
 */
export function consumerGroupLag(partitions: Iterable<PartitionOffsets>): number {
  let lag = 0;
  for (const p of partitions) {
    const from = p.committed !== undefined && p.committed >= 0n ? p.committed : p.low;
    if (p.high > from) lag += Number(p.high - from);
  }
  return lag;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function defaultOnError(message: string, error: unknown): void {
  console.error(`kafka bus: ${message}`, error);
}
