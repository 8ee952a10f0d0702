import {
  createBatchDelivery,
  createDelivery,
  type BusBatchSubscribeOptions,
  serializeEnvelope,
  type BusSubscribeOptions,
  type BusSubscription,
  type DeadLetter,
  type IntegrationBus,
  type IntegrationEvent,
  type IntegrationEventRegistry,
} from '@crm/bus';

export interface InProcessBusOptions {
  /** Partitions of the log; one customer's events (same subject) always land in the same one. Default 6. */
  partitions?: number;
  /** Name reported as `sourceTopic` of dead letters. Default `crm.customer-events`. */
  topic?: string;
  /** Where unexpected consumer errors are reported (the consumer then retries the message). Default console.error. */
  onError?(error: unknown, context: { group: string; partition: number; offset: number }): void;
}

export const IN_PROCESS_DEFAULT_TOPIC = 'crm.customer-events';
const DEFAULT_PARTITIONS = 6;
const UNEXPECTED_ERROR_BACKOFF_MS = 200;

/** Stable 32-bit FNV-1a hash of a string (UTF-16 code units): the same key → the same partition, always. */
export function stablePartition(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

interface ActiveSubscription {
  stopping: boolean;
  /** Wakes the partition loops that are waiting for new messages (or for stop). */
  wakers: Set<() => void>;
  loops: Promise<void>[];
}

/**
 * The integration bus for the embedded single-process mode, with Kafka's semantics: an append-only
 * log of serialized messages per partition (partition = stable hash of the subject, i.e. the
 * customer id) and a committed offset per consumer group and partition. Every group gets every
 * message, in order per key, at least once: a message's offset is committed only after its
 * delivery (handler with retries, or dead-letter) resolved, so a stopped and resubscribed group
 * resumes where it left off. Dead letters are kept in a log per group.
 *
 * One subscriber per group at a time: a group here has a single member that consumes all
 * partitions (each partition sequentially, partitions concurrently). Subscribing a group that
 * already has a running subscriber throws; stop it first. Everything lives in memory and is lost
 * with the process.
 */
export class InProcessBus implements IntegrationBus {
  readonly topic: string;
  readonly partitions: number;
  private readonly log: string[][];
  private readonly offsets = new Map<string, number[]>();
  private readonly deadLetterLog = new Map<string, DeadLetter[]>();
  private readonly active = new Map<string, ActiveSubscription>();
  private closed = false;

  constructor(
    private readonly registry: IntegrationEventRegistry,
    private readonly options: InProcessBusOptions = {},
  ) {
    const partitions = options.partitions ?? DEFAULT_PARTITIONS;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a positive integer, got ${partitions}`);
    this.partitions = partitions;
    this.topic = options.topic ?? IN_PROCESS_DEFAULT_TOPIC;
    this.log = Array.from({ length: partitions }, () => []);
  }

  /** Validates every event first (nothing is appended if one is invalid), then appends them all. */
  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    this.assertOpen();
    // Validate the serialized form: that is exactly what consumers will receive.
    const messages = events.map((event) => {
      const raw = serializeEnvelope(event);
      const valid = this.registry.parse(raw);
      return { subject: valid.subject, raw };
    });
    for (const { subject, raw } of messages) this.append(subject, raw);
  }

  /** Appends a message as is, unvalidated: for tests and for injecting poison messages. */
  async publishRaw(subject: string, raw: string): Promise<void> {
    this.assertOpen();
    this.append(subject, raw);
  }

  async subscribe(options: BusSubscribeOptions): Promise<BusSubscription> {
    const deliver = createDelivery(options);
    return this.consume(options, (group, partition, committed, subscription) => this.consumePartition(group, partition, committed, deliver, subscription));
  }

  async subscribeBatch(options: BusBatchSubscribeOptions): Promise<BusSubscription> {
    const deliver = createBatchDelivery(options);
    const max = options.maxBatchSize ?? 500;
    return this.consume(options, (group, partition, committed, subscription) =>
      this.consumePartitionInBatches(group, partition, committed, max, deliver, subscription),
    );
  }

  private async consume(
    options: { group: string; fromBeginning?: boolean },
    loop: (group: string, partition: number, committed: number[], subscription: ActiveSubscription) => Promise<void>,
  ): Promise<BusSubscription> {
    this.assertOpen();
    const { group } = options;
    if (this.active.has(group)) {
      throw new Error(`consumer group ${group} already has a subscriber: the in-process bus allows one subscriber per group at a time`);
    }
    let offsets = this.offsets.get(group);
    if (!offsets) {
      offsets = options.fromBeginning === false ? this.log.map((p) => p.length) : this.log.map(() => 0);
      this.offsets.set(group, offsets);
    }
    const subscription: ActiveSubscription = { stopping: false, wakers: new Set(), loops: [] };
    this.active.set(group, subscription);
    const committed = offsets;
    subscription.loops = this.log.map((_, partition) => loop(group, partition, committed, subscription));

    let stopped: Promise<void> | undefined;
    return {
      stop: () => {
        stopped ??= (async () => {
          subscription.stopping = true;
          wake(subscription);
          await Promise.all(subscription.loops);
          if (this.active.get(group) === subscription) this.active.delete(group);
        })();
        return stopped;
      },
    };
  }

  /** Dead letters of a group, oldest first (a copy). */
  deadLetters(group: string): DeadLetter[] {
    return [...(this.deadLetterLog.get(group) ?? [])];
  }

  /** Committed offsets of a group per partition (next offset to consume), or undefined for an unknown group. */
  committedOffsets(group: string): number[] | undefined {
    const offsets = this.offsets.get(group);
    return offsets ? [...offsets] : undefined;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  /** Stops every subscription (waiting for in-flight messages); publishing afterwards throws. */
  async close(): Promise<void> {
    this.closed = true;
    const subscriptions = [...this.active.values()];
    for (const s of subscriptions) {
      s.stopping = true;
      wake(s);
    }
    await Promise.all(subscriptions.flatMap((s) => s.loops));
    this.active.clear();
  }

  private append(subject: string, raw: string): void {
    this.log[stablePartition(subject, this.partitions)].push(raw);
    for (const s of this.active.values()) wake(s);
  }

  private async consumePartition(
    group: string,
    partition: number,
    committed: number[],
    deliver: ReturnType<typeof createDelivery>,
    subscription: ActiveSubscription,
  ): Promise<void> {
    const log = this.log[partition];
    // Start asynchronously, so subscribe() returns before the first delivery.
    await Promise.resolve();
    while (!subscription.stopping) {
      const offset = committed[partition];
      if (offset >= log.length) {
        await new Promise<void>((resolve) => subscription.wakers.add(resolve));
        continue;
      }
      const raw = log[offset];
      try {
        await deliver(raw, {
          registry: this.registry,
          deadLetter: async (reason) => this.addDeadLetter(group, reason, raw),
        });
      } catch (error) {
        // Only an unexpected failure gets here (delivery itself resolves for bad messages and
        // failing handlers): report it, leave the offset uncommitted and try the message again.
        (this.options.onError ?? defaultOnError)(error, { group, partition, offset });
        if (!subscription.stopping) await this.pause(subscription, UNEXPECTED_ERROR_BACKOFF_MS);
        continue;
      }
      committed[partition] = offset + 1;
    }
  }

  private async consumePartitionInBatches(
    group: string,
    partition: number,
    committed: number[],
    max: number,
    deliver: ReturnType<typeof createBatchDelivery>,
    subscription: ActiveSubscription,
  ): Promise<void> {
    const log = this.log[partition];
    await Promise.resolve();
    while (!subscription.stopping) {
      const offset = committed[partition];
      if (offset >= log.length) {
        await new Promise<void>((resolve) => subscription.wakers.add(resolve));
        continue;
      }
      const raws = log.slice(offset, offset + max);
      let handled: boolean;
      try {
        handled = await deliver(raws, {
          registry: this.registry,
          deadLetter: async (raw, reason) => this.addDeadLetter(group, reason, raw),
          abandoned: () => subscription.stopping,
          sleep: (ms) => this.pause(subscription, ms),
        });
      } catch (error) {
        (this.options.onError ?? defaultOnError)(error, { group, partition, offset });
        if (!subscription.stopping) await this.pause(subscription, UNEXPECTED_ERROR_BACKOFF_MS);
        continue;
      }
      if (handled) committed[partition] = offset + raws.length;
    }
  }

  private addDeadLetter(group: string, reason: string, raw: string): void {
    let letters = this.deadLetterLog.get(group);
    if (!letters) this.deadLetterLog.set(group, (letters = []));
    letters.push({ group, reason, raw, sourceTopic: this.topic, failedAt: new Date().toISOString() });
  }

  /** Waits `ms`, or less if the subscription is stopped meanwhile. */
  private pause(subscription: ActiveSubscription, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        subscription.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      subscription.wakers.add(done);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the in-process bus is closed');
  }
}

function wake(subscription: ActiveSubscription): void {
  const wakers = [...subscription.wakers];
  subscription.wakers.clear();
  for (const w of wakers) w();
}

function defaultOnError(error: unknown, context: { group: string; partition: number; offset: number }): void {
  console.error(`in-process bus: unexpected error delivering ${context.group} p${context.partition}@${context.offset}; retrying`, error);
}
