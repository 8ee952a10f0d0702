import { randomUUID } from 'node:crypto';
import {
  createBatchDelivery,
  createDelivery,
  type BusBatchSubscribeOptions,
  type BusSubscribeOptions,
  type BusSubscription,
  type DeadLetter,
  type IntegrationBus,
  type IntegrationEvent,
  type IntegrationEventRegistry,
} from '@crm/bus';
import {
  assertConsumersUp,
  CONSUMER_RESTART_MS,
  deadLetterHeaders,
  deadLetterOf,
  DEFAULT_DLQ_PREFIX,
  DEFAULT_TOPIC,
  defaultOnError,
  delay,
  encodeEvents,
  ensureTopicOnce,
  LeaderlessTopicError,
  sendDeadLetter,
  type KafkaBusCommonOptions,
  consumerGroupLag,
} from '@crm/bus-kafka-wire';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type ConsumerRunConfig, type KafkaMessage, type Producer, type SASLOptions } from 'kafkajs';

// The wire format is shared with the @platformatic/kafka adapter; re-exported for existing callers.
export { DEFAULT_DLQ_PREFIX, DEFAULT_TOPIC, DLQ_HEADERS } from '@crm/bus-kafka-wire';

export { logLevel as KafkaLogLevel } from 'kafkajs';

/**
 * `stallAfterMs`: a consumer that shows no sign of life (no fetch, heartbeat, batch or join) for this
 * long is restarted. kafkajs can hang after a broker outage without crashing (kafkajs#660, #1163), so
 * this is what keeps a consumer going whatever the outage. The session default (6 s) replaces
 * kafkajs's own 30 s.
 */
export interface KafkaBusOptions extends KafkaBusCommonOptions {
  /** kafkajs log level (default ERROR). */
  logLevel?: logLevel;
}

/** kafkajs types SASL per mechanism; ours has one shape for the three, which is the same set of values. */
function kafkajsSasl(sasl: KafkaBusOptions['sasl']): SASLOptions | undefined {
  return sasl as SASLOptions | undefined;
}

interface KafkaSubscription {
  stopping: boolean;
  consumer: Consumer;
  group: string;
  /** Why this consumer is not consuming right now (crashed, stalled, restarting), or undefined. */
  down(): string | undefined;
  stop(): Promise<void>;
}

/**
 * The integration bus on Apache Kafka (kafkajs). One topic keyed by subject (the customer id), so a
 * customer's events share a partition and keep their order; each subscriber is a Kafka consumer
 * group. Publishing validates every event first, then sends with an idempotent producer (acks=all)
 * and resolves on the broker's acknowledgement. Consumers run each message through the shared
 * `createDelivery` (validate, dedupe, handler with retries, dead-letter to `${dlqPrefix}${group}`)
 * and the offset is committed only after that resolved: at-least-once, and a poison message or a
 * failing handler never stops the consumer.
 */
export class KafkaBus implements IntegrationBus {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly dlqPrefix: string;
  private producerReady?: Promise<Producer>;
  private adminReady?: Promise<Admin>;
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(
    private readonly registry: IntegrationEventRegistry,
    private readonly options: KafkaBusOptions,
  ) {
    this.topic = options.topic ?? DEFAULT_TOPIC;
    this.partitions = options.partitions ?? 6;
    this.replicationFactor = options.replicationFactor ?? 1;
    this.dlqPrefix = options.dlqPrefix ?? DEFAULT_DLQ_PREFIX;
    this.kafka = new Kafka({
      brokers: options.brokers,
      clientId: options.clientId,
      logLevel: options.logLevel ?? logLevel.ERROR,
      ssl: options.ssl,
      sasl: kafkajsSasl(options.sasl),
    });
  }

  /** The dead-letter topic of a consumer group. */
  dlqTopic(group: string): string {
    return `${this.dlqPrefix}${group}`;
  }

  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    this.assertOpen();
    const messages = encodeEvents(this.registry, events);
    if (messages.length === 0) return;
    await this.ensureTopic(this.topic);
    const producer = await this.producer();
    await producer.send({ topic: this.topic, acks: -1, messages });
  }

  /** Sends a message as is, unvalidated, keyed by `subject`: for tests and for injecting poison messages. */
  async publishRaw(subject: string, raw: string): Promise<void> {
    this.assertOpen();
    await this.ensureTopic(this.topic);
    const producer = await this.producer();
    await producer.send({ topic: this.topic, acks: -1, messages: [{ key: subject, value: raw }] });
  }

  async subscribe(options: BusSubscribeOptions): Promise<BusSubscription> {
    const deliver = createDelivery(options);
    return this.consume(options.group, options.fromBeginning, (subscription, dlqTopic) => ({
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const raw = message.value?.toString('utf8') ?? '';
        await deliver(raw, {
          registry: this.registry,
          deadLetter: (reason) => this.deadLetter(subscription, { group: options.group, dlqTopic, topic, partition, message, reason }),
          // Long backoffs must not cost the group membership.
          sleep: async (ms) => {
            await heartbeat().catch(() => undefined);
            await delay(ms);
          },
        });
        // Resolving here lets kafkajs resolve (and later commit) this offset; throwing would not.
      },
    }));
  }

  async subscribeBatch(options: BusBatchSubscribeOptions): Promise<BusSubscription> {
    const deliver = createBatchDelivery(options);
    const max = options.maxBatchSize ?? 500;
    return this.consume(options.group, options.fromBeginning, (subscription, dlqTopic) => ({
      autoCommit: true,
      // Offsets of handled batches are committed at most every half second, not after every batch:
      // a redelivery after a crash is absorbed by the handler's dedupe anyway.
      autoCommitInterval: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        const { topic, partition } = batch;
        for (let from = 0; from < batch.messages.length; from += max) {
          const messages = batch.messages.slice(from, from + max);
          const byRaw = new Map<string, KafkaMessage>();
          const raws = messages.map((m) => {
            const raw = m.value?.toString('utf8') ?? '';
            byRaw.set(raw, m);
            return raw;
          });
          const handled = await deliver(raws, {
            registry: this.registry,
            deadLetter: (raw, reason) =>
              this.deadLetter(subscription, { group: options.group, dlqTopic, topic, partition, message: byRaw.get(raw) ?? messages[0], reason }),
            abandoned: () => subscription.stopping || !isRunning() || isStale(),
            sleep: async (ms) => {
              await heartbeat().catch(() => undefined);
              await delay(ms);
            },
          });
          // Abandoned (stopping or the partition moved to another member): leave the offsets
          // unresolved, so whoever consumes next starts from this batch again.
          if (!handled) return;
          resolveOffset(messages[messages.length - 1].offset);
          await heartbeat().catch(() => undefined);
        }
        await commitOffsetsIfNecessary();
      },
    }));
  }

  /** One consumer of `group` on the topic, restarted after crashes until the subscription stops. */
  private async consume(
    group: string,
    fromBeginning: boolean | undefined,
    runConfig: (subscription: KafkaSubscription, dlqTopic: string) => ConsumerRunConfig,
  ): Promise<BusSubscription> {
    this.assertOpen();
    const dlqTopic = this.dlqTopic(group);
    await Promise.all([this.ensureTopic(this.topic), this.ensureTopic(dlqTopic)]);
    await this.producer(); // dead letters need it; fail now rather than on the first poison message

    const sessionTimeout = this.options.sessionTimeoutMs ?? 6000;
    const report = this.options.onError ?? defaultOnError;
    const stallAfterMs = this.options.stallAfterMs ?? 30_000;
    let stopped: Promise<void> | undefined;
    let restartTimer: NodeJS.Timeout | undefined;
    // Why the consumer is down (undefined while it runs), and when it last showed a sign of life.
    let downBecause: string | undefined;
    let restarting = false;
    let lastAlive = Date.now();
    // Consumers replaced by a restart whose disconnect has not finished yet (they may hang).
    const replaced = new Set<Consumer>();

    const subscription: KafkaSubscription = {
      stopping: false,
      consumer: undefined as unknown as Consumer, // set below, replaced by each restart
      group,
      down: () =>
        downBecause ?? (Date.now() - lastAlive > stallAfterMs ? `no fetch or heartbeat for ${Math.round((Date.now() - lastAlive) / 1000)} s` : undefined),
      stop: () => {
        stopped ??= (async () => {
          subscription.stopping = true;
          if (restartTimer) clearTimeout(restartTimer);
          clearInterval(watchdog);
          // Waits for the in-flight message, commits the resolved offsets and leaves the group; a
          // replaced consumer gets a bounded wait, as when it was replaced.
          await Promise.all([
            subscription.consumer.disconnect(),
            ...[...replaced].map((old) => Promise.race([old.disconnect().catch(() => undefined), delay(sessionTimeout)])),
          ]);
          this.subscriptions.delete(subscription);
        })();
        return stopped;
      },
    };
    const config = runConfig(subscription, dlqTopic);

    // A restart gets a new kafkajs consumer: one that hung may never finish disconnecting, and its
    // events must no longer count as signs of life.
    const createConsumer = (): Consumer => {
      // A replaced consumer must not come back by kafkajs's own restart after its next crash.
      const current = () => subscription.consumer === consumer && !subscription.stopping;
      const consumer: Consumer = this.kafka.consumer({
        groupId: group,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: this.options.maxWaitTimeInMs,
        sessionTimeout,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? Math.max(500, Math.floor(sessionTimeout / 6)),
        retry: { restartOnFailure: async () => current() },
      });
      // Every sign that the consumer works: fetching (also when idle: a fetch returns after
      // maxWaitTimeInMs), heartbeating (also during a long batch), batches, joining the group.
      const alive = (): void => {
        if (subscription.consumer !== consumer) return;
        lastAlive = Date.now();
        downBecause = undefined;
      };
      for (const event of [
        consumer.events.FETCH_START,
        consumer.events.FETCH,
        consumer.events.HEARTBEAT,
        consumer.events.START_BATCH_PROCESS,
        consumer.events.END_BATCH_PROCESS,
        consumer.events.GROUP_JOIN,
        consumer.events.COMMIT_OFFSETS,
      ]) {
        consumer.on(event, alive);
      }
      // kafkajs restarts a crashed consumer by itself when the error is retriable (the watchdog
      // covers that restart hanging); otherwise it stays down, so restart it here.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!current()) return;
        report(`kafka consumer of group ${group} crashed${payload.restart ? '; kafkajs restarts it' : ''}`, payload.error);
        downBecause = `crashed: ${payload.error?.message ?? 'unknown error'}`;
        if (!payload.restart) restart(downBecause, CONSUMER_RESTART_MS);
      });
      return consumer;
    };
    subscription.consumer = createConsumer();

    const start = async (): Promise<void> => {
      const consumer = subscription.consumer;
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: fromBeginning ?? true });
      await consumer.run(config);
    };

    // Replaces the consumer by a new one (the old one gets a bounded chance to leave the group and
    // commit) until that starts or the subscription stops; one restart at a time.
    const restart = (why: string, afterMs: number): void => {
      if (subscription.stopping || restarting) return;
      restarting = true;
      downBecause = why;
      restartTimer = setTimeout(() => {
        void (async () => {
          try {
            const old = subscription.consumer;
            replaced.add(old);
            const gone = old
              .disconnect()
              .catch(() => undefined)
              .then(() => void replaced.delete(old));
            await Promise.race([gone, delay(sessionTimeout)]);
            if (subscription.stopping) return;
            subscription.consumer = createConsumer();
            await start();
            lastAlive = Date.now(); // a fresh start gets a whole stall period to show life
          } catch (error) {
            report(`restarting the kafka consumer of group ${group} failed; trying again`, error);
            restarting = false;
            restart(why, Math.min(Math.max(afterMs * 2, 1000), 30_000));
            return;
          }
          restarting = false;
        })();
      }, afterMs);
      restartTimer.unref();
    };

    // The watchdog: a consumer silent for longer than stallAfterMs is replaced, whatever the cause.
    const watchdog = setInterval(
      () => {
        if (subscription.stopping || restarting || Date.now() - lastAlive <= stallAfterMs) return;
        const why = `no fetch or heartbeat for ${Math.round((Date.now() - lastAlive) / 1000)} s`;
        report(`kafka consumer of group ${group} stalled (${why}); restarting it`, undefined);
        lastAlive = Date.now(); // one restart per stall period, not one per tick
        restart(why, 0);
      },
      Math.max(250, Math.floor(stallAfterMs / 4)),
    );
    watchdog.unref();

    this.subscriptions.add(subscription);
    try {
      await start();
    } catch (error) {
      await subscription.stop().catch(() => undefined);
      throw error;
    }
    return { stop: () => subscription.stop() };
  }

  /** Checks that the cluster answers (and the bus is open), and that no consumer of this bus is down or stalled. */
  async ping(): Promise<void> {
    this.assertOpen();
    const admin = await this.admin();
    await admin.describeCluster();
    assertConsumersUp(this.subscriptions);
  }

  /**
   * The group's lag on the topic: per partition, the high watermark − the committed offset (a
   * partition the group never committed on counts from its low watermark). Two admin requests; the
   * metrics scrape calls it, and keeps the answer a few seconds.
   */
  async consumerLag(group: string): Promise<number> {
    this.assertOpen();
    const admin = await this.admin();
    const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(this.topic), admin.fetchOffsets({ groupId: group, topics: [this.topic] })]);
    const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    return consumerGroupLag(ends.map((end) => ({ high: BigInt(end.high), low: BigInt(end.low), committed: byPartition.get(end.partition) })));
  }

  /** Stops every subscription, then disconnects the producer and the admin client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.subscriptions].map((s) => s.stop().catch((error: unknown) => (this.options.onError ?? defaultOnError)('stopping a consumer failed', error))),
    );
    const producer = this.producerReady?.catch(() => undefined);
    const admin = this.adminReady?.catch(() => undefined);
    await Promise.all([(await producer)?.disconnect(), (await admin)?.disconnect()]);
  }

  /** Writes a dead letter durably; retries until it succeeds or the subscription stops (then the offset is not committed). */
  private async deadLetter(
    subscription: KafkaSubscription,
    letter: { group: string; dlqTopic: string; topic: string; partition: number; message: KafkaMessage; reason: string },
  ): Promise<void> {
    const headers = deadLetterHeaders({ ...letter, offset: letter.message.offset });
    await sendDeadLetter(
      async () => {
        const producer = await this.producer();
        await producer.send({ topic: letter.dlqTopic, acks: -1, messages: [{ key: letter.message.key, value: letter.message.value ?? '', headers }] });
      },
      { dlqTopic: letter.dlqTopic, givingUp: () => subscription.stopping || this.closed, onError: this.options.onError ?? defaultOnError },
    );
  }

  private producer(): Promise<Producer> {
    if (!this.producerReady) {
      const ready = (async () => {
        const producer = this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        return producer;
      })();
      this.producerReady = ready;
      // A failed connect is not cached: the next call tries again.
      ready.catch(() => {
        if (this.producerReady === ready) this.producerReady = undefined;
      });
    }
    return this.producerReady;
  }

  private admin(): Promise<Admin> {
    if (!this.adminReady) {
      const ready = (async () => {
        const admin = this.kafka.admin();
        await admin.connect();
        return admin;
      })();
      this.adminReady = ready;
      ready.catch(() => {
        if (this.adminReady === ready) this.adminReady = undefined;
      });
    }
    return this.adminReady;
  }

  /** Creates the topic if it does not exist (idempotent; concurrent creators are fine). */
  private ensureTopic(topic: string): Promise<void> {
    return ensureTopicOnce(
      this.topicsReady,
      topic,
      async () => {
        const admin = await this.admin();
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: this.partitions, replicationFactor: this.replicationFactor }],
        });
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        if (!meta.topics[0]?.partitions.every((p) => p.leader >= 0)) throw new LeaderlessTopicError(topic);
      },
      // e.g. UNKNOWN_TOPIC_OR_PARTITION right after another process created it
      (error) => (error as { retriable?: unknown }).retriable === true,
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the kafka bus is closed');
  }
}

/**
 * Reads a dead-letter topic from the beginning with a throwaway consumer group, until
 * `expectedCount` letters were read or `timeoutMs` passed; resolves with the letters read (fewer
 * than expected on timeout). For tests and ops tooling.
 */
export async function readDeadLetters(
  brokers: string[],
  dlqTopic: string,
  expectedCount: number,
  timeoutMs = 30000,
  options: { logLevel?: logLevel } & Pick<KafkaBusOptions, 'ssl' | 'sasl'> = {},
): Promise<DeadLetter[]> {
  const kafka = new Kafka({
    brokers,
    clientId: 'crm-dlq-reader',
    logLevel: options.logLevel ?? logLevel.ERROR,
    ssl: options.ssl,
    sasl: kafkajsSasl(options.sasl),
  });
  const groupId = `crm-dlq-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  const letters: DeadLetter[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  if (expectedCount <= 0) done();
  const timer = setTimeout(() => done(), timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        letters.push(toDeadLetter(topic, message));
        if (letters.length >= expectedCount) done();
      },
    });
    await enough;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
  return letters;
}

/** A dead letter from a message of a dead-letter topic. */
export function toDeadLetter(dlqTopic: string, message: KafkaMessage): DeadLetter {
  return deadLetterOf(dlqTopic, message.value?.toString('utf8') ?? '', (name) => {
    const value = message.headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? '' : first.toString();
  });
}
