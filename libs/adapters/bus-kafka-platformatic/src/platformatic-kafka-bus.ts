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
import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  deserializersFrom,
  ProduceAcks,
  Producer,
  serializersFrom,
  stringDeserializer,
  stringSerializer,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';

export { DEFAULT_DLQ_PREFIX, DEFAULT_TOPIC, DLQ_HEADERS } from '@crm/bus-kafka-wire';

/** How long a produce request may wait for Kafka's acknowledgement before it fails (see `send`). */
const SEND_TIMEOUT_MS = 15_000;
/**
 * The options of the kafkajs adapter but its log level. Signs of life for `stallAfterMs`: a fetch or
 * heartbeat while idle; progress of the message or batch in hand while busy (the client heartbeats on
 * its own timer, so a hung handler would otherwise hold its partitions for good).
 */
export type PlatformaticKafkaBusOptions = KafkaBusCommonOptions;

type StringConsumer = Consumer<string, string, string, string>;
type StringMessage = Message<string, string, string, string>;
type StringStream = MessagesStream<string, string, string, string>;

/** Messages taken from the stream at once; split by partition and handled partitions in parallel. */
const CHUNK_MAX = 500;

/** One consumer (a group member) of a subscription; a restart replaces it by a new one. */
interface Member {
  consumer: StringConsumer;
  stream?: StringStream;
  /** Replaced or stopped: it must not start another message nor commit. */
  retired: boolean;
  /** The last offset handled per partition by this member: a refetch after a rejoin is skipped up to it. */
  handled: Map<number, bigint>;
  /** The consume loop; settles once it gave up. */
  loop?: Promise<void>;
  /** In the middle of a chunk: only its own progress counts as a sign of life then (fetches and heartbeats go on while a handler hangs). */
  busy: boolean;
  /** When it last showed a sign of life: a fetch or heartbeat while idle, progress while busy. */
  lastAlive: number;
}

interface Subscription {
  group: string;
  stopping: boolean;
  member: Member;
  down(): string | undefined;
  stop(): Promise<void>;
}

/** What a subscription does with the messages of one partition taken in one chunk. */
type PartitionHandler = (subscription: Subscription, member: Member, messages: StringMessage[]) => Promise<void>;

/**
 * The integration bus on Apache Kafka through @platformatic/kafka, a maintained pure-JS client that
 * speaks Kafka 3.5 to 4.1 (kafkajs cannot reach Kafka 4). Same guarantees and wire format as the
 * kafkajs `KafkaBus` (@crm/bus-kafka-wire): one topic keyed by subject with the Java-compatible
 * murmur2 partitioner (both adapters put a customer on the same partition), an idempotent producer
 * acknowledged by all replicas, one consumer group per subscriber, each message run through the
 * shared `createDelivery` (validate, dedupe, retries, dead-letter) and its offset committed only once
 * that resolved: at-least-once, in order per partition, and a poison message never stops a consumer.
 *
 * The client gives a stream of messages of every assigned partition; the bus takes what the stream
 * holds (up to 500 messages), splits it by partition, handles up to `partitionsConsumedConcurrently`
 * partitions at once, each in order, and commits each partition's last handled offset.
 */
export class PlatformaticKafkaBus implements IntegrationBus {
  readonly topic: string;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly dlqPrefix: string;
  private readonly sessionTimeout: number;
  private readonly report: (message: string, error: unknown) => void;
  private producer: Producer<string, string, string, string>;
  private readonly admin: Admin;
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(
    private readonly registry: IntegrationEventRegistry,
    private readonly options: PlatformaticKafkaBusOptions,
  ) {
    this.topic = options.topic ?? DEFAULT_TOPIC;
    this.partitions = options.partitions ?? 6;
    this.replicationFactor = options.replicationFactor ?? 1;
    this.dlqPrefix = options.dlqPrefix ?? DEFAULT_DLQ_PREFIX;
    this.sessionTimeout = options.sessionTimeoutMs ?? 6000;
    this.report = options.onError ?? defaultOnError;
    // Both connect lazily, on their first request, and reconnect by themselves.
    this.producer = this.newProducer();
    this.admin = new Admin(connection(options));
  }

  private newProducer(): Producer<string, string, string, string> {
    return new Producer({
      ...connection(this.options),
      serializers: serializersFrom(stringSerializer),
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      // kafkajs's DefaultPartitioner and Java's: murmur2 of the key, made positive by masking.
      partitioner: compatibilityPartitioner,
    });
  }

  /**
   * Every produce request goes through here. With @platformatic/kafka 1.35 a send to a broker that
   * died neither fails nor times out: it waits until the broker is back, and the producer then
   * refuses every later send ("Producing messages failed") — measured with a kill -9 of the local
   * broker. So a send not acknowledged within `SEND_TIMEOUT_MS` fails (the relay then reports itself
   * unready and retries with backoff, as with kafkajs), and after any failed send the producer is
   * replaced by a new one (a new producer id, fresh sequence numbers). A late acknowledgement of the
   * abandoned send can still land: a duplicate, which consumers drop by event id (at-least-once).
   */
  private async send(messages: Parameters<Producer<string, string, string, string>['send']>[0]['messages']): Promise<void> {
    const producer = this.producer;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        producer.send({ messages }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Kafka did not acknowledge the produce request within ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (this.producer === producer && !this.closed) {
        this.producer = this.newProducer();
        producer.close(true, () => undefined); // in the background: it may wait for the dead connection
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
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
    await this.send(messages.map((m) => ({ ...m, topic: this.topic })));
  }

  /** Sends a message as is, unvalidated, keyed by `subject`: for tests and for injecting poison messages. */
  async publishRaw(subject: string, raw: string): Promise<void> {
    this.assertOpen();
    await this.ensureTopic(this.topic);
    await this.send([{ topic: this.topic, key: subject, value: raw }]);
  }

  async subscribe(options: BusSubscribeOptions): Promise<BusSubscription> {
    const deliver = createDelivery(options);
    const dlqTopic = this.dlqTopic(options.group);
    return this.consume(options.group, options.fromBeginning, async (subscription, member, messages) => {
      let last: StringMessage | undefined;
      for (const message of messages) {
        // A stopping subscription finishes the message in hand and commits; a replaced member gives up.
        if (subscription.stopping || member.retired) break;
        progress(member);
        await deliver(message.value ?? '', {
          registry: this.registry,
          deadLetter: (reason) => this.deadLetter(subscription, member, { group: options.group, dlqTopic, message, reason }),
          sleep: async (ms) => {
            progress(member);
            await delay(ms);
            progress(member);
          },
        });
        member.handled.set(message.partition, message.offset);
        last = message;
      }
      if (last) await this.commit(member, last);
    });
  }

  async subscribeBatch(options: BusBatchSubscribeOptions): Promise<BusSubscription> {
    const deliver = createBatchDelivery(options);
    const max = options.maxBatchSize ?? 500;
    const dlqTopic = this.dlqTopic(options.group);
    return this.consume(options.group, options.fromBeginning, async (subscription, member, messages) => {
      for (let from = 0; from < messages.length; from += max) {
        const slice = messages.slice(from, from + max);
        const byRaw = new Map<string, StringMessage>();
        const raws = slice.map((m) => {
          const raw = m.value ?? '';
          byRaw.set(raw, m);
          return raw;
        });
        progress(member);
        const handled = await deliver(raws, {
          registry: this.registry,
          deadLetter: (raw, reason) => this.deadLetter(subscription, member, { group: options.group, dlqTopic, message: byRaw.get(raw) ?? slice[0], reason }),
          abandoned: () => subscription.stopping || member.retired,
          sleep: async (ms) => {
            progress(member);
            await delay(ms);
            progress(member);
          },
        });
        // Abandoned (stopping, replaced): the offsets stay where they are, so whoever consumes next
        // starts from this slice again.
        if (!handled) return;
        const last = slice[slice.length - 1];
        member.handled.set(last.partition, last.offset);
        await this.commit(member, last);
      }
    });
  }

  /** One member of `group` on the topic, replaced after errors and stalls until the subscription stops. */
  private async consume(group: string, fromBeginning: boolean | undefined, handle: PartitionHandler): Promise<BusSubscription> {
    this.assertOpen();
    const dlqTopic = this.dlqTopic(group);
    await Promise.all([this.ensureTopic(this.topic), this.ensureTopic(dlqTopic)]);

    const stallAfterMs = this.options.stallAfterMs ?? 30_000;
    let stopped: Promise<void> | undefined;
    let restartTimer: NodeJS.Timeout | undefined;
    let downBecause: string | undefined;
    let restarting = false;
    const stalledFor = (member: Member): number => Date.now() - member.lastAlive;
    // Members replaced by a restart whose close has not finished yet (their handler may hang).
    const replaced = new Set<Member>();

    const subscription: Subscription = {
      group,
      stopping: false,
      member: undefined as unknown as Member, // set below, replaced by each restart
      down: () =>
        downBecause ??
        (stalledFor(subscription.member) > stallAfterMs
          ? `no fetch, heartbeat or progress for ${Math.round(stalledFor(subscription.member) / 1000)} s`
          : undefined),
      stop: () => {
        stopped ??= (async () => {
          subscription.stopping = true;
          if (restartTimer) clearTimeout(restartTimer);
          clearInterval(watchdog);
          // The message in hand finishes and its offset is committed before the member leaves the
          // group; closing the stream first ends a loop that waits for messages.
          const member = subscription.member;
          await member.stream?.close().catch(() => undefined);
          await member.loop?.catch(() => undefined);
          member.retired = true;
          await Promise.all([this.closeMember(member), ...[...replaced].map((old) => Promise.race([this.closeMember(old), delay(this.sessionTimeout)]))]);
          this.subscriptions.delete(subscription);
        })();
        return stopped;
      },
    };

    const createMember = (): Member => {
      const member: Member = {
        consumer: new Consumer({
          ...connection(this.options),
          groupId: group,
          deserializers: deserializersFrom(stringDeserializer),
          autocommit: false,
          sessionTimeout: this.sessionTimeout,
          rebalanceTimeout: Math.max(this.sessionTimeout, 10_000),
          heartbeatInterval: this.options.heartbeatIntervalMs ?? Math.max(500, Math.floor(this.sessionTimeout / 6)),
          maxWaitTime: this.options.maxWaitTimeInMs ?? 5000,
          // kafkajs's protocol name: a group may hold members of both adapters (a rolling switch of
          // CRM_KAFKA_CLIENT) only when they all offer one protocol. Both assign round-robin over the
          // standard subscription and assignment formats, whichever member leads.
          protocols: [{ name: 'RoundRobinAssigner', version: 0 }],
        }),
        retired: false,
        handled: new Map(),
        busy: false,
        lastAlive: Date.now(),
      };
      const alive = (): void => {
        if (subscription.member !== member || member.busy) return;
        member.lastAlive = Date.now();
        downBecause = undefined;
      };
      member.consumer.on('consumer:heartbeat:end', alive);
      member.consumer.on('consumer:group:join', alive);
      // An 'error' event without a listener would end the process.
      member.consumer.on('error', (error: Error) => {
        if (member.retired || subscription.member !== member) return;
        failed(member, `consumer error: ${error.message}`, error);
      });
      return member;
    };

    /** Joins the group and runs the consume loop of `member` until it ends. */
    const start = async (member: Member): Promise<void> => {
      const stream = await member.consumer.consume({
        topics: [this.topic],
        mode: 'committed',
        fallbackMode: (fromBeginning ?? true) ? 'earliest' : 'latest',
      });
      member.stream = stream;
      stream.on('fetch', () => {
        if (subscription.member === member && !member.busy) {
          member.lastAlive = Date.now();
          downBecause = undefined;
        }
      });
      stream.on('error', (error: Error) => {
        if (member.retired || subscription.member !== member) return;
        failed(member, `stream error: ${error.message}`, error);
      });
      member.loop = this.run(subscription, member, handle).catch((error: unknown) => {
        if (member.retired || subscription.member !== member) return;
        failed(member, `consume loop failed: ${error instanceof Error ? error.message : String(error)}`, error);
      });
    };

    const failed = (member: Member, why: string, error: unknown): void => {
      this.report(`kafka consumer of group ${group} failed (${why}); restarting it`, error);
      downBecause = why;
      restart(member, why, CONSUMER_RESTART_MS);
    };

    // Replaces the member by a new one (the old one gets a bounded chance to leave the group) until
    // that starts or the subscription stops; one restart at a time.
    const restart = (old: Member, why: string, afterMs: number): void => {
      if (subscription.stopping || restarting || subscription.member !== old) return;
      restarting = true;
      downBecause = why;
      old.retired = true;
      replaced.add(old);
      void Promise.race([this.closeMember(old), delay(this.sessionTimeout)]).then(() => replaced.delete(old));
      restartTimer = setTimeout(() => {
        void (async () => {
          if (subscription.stopping) return;
          const member = createMember();
          subscription.member = member;
          try {
            await start(member);
            member.lastAlive = Date.now(); // a fresh start gets a whole stall period to show life
            restarting = false;
          } catch (error) {
            this.report(`restarting the kafka consumer of group ${group} failed; trying again`, error);
            restarting = false;
            restart(member, why, Math.min(Math.max(afterMs * 2, 1000), 30_000));
          }
        })();
      }, afterMs);
      restartTimer.unref();
    };

    // The watchdog: a member silent (or stuck on one message) for longer than stallAfterMs is replaced.
    const watchdog = setInterval(
      () => {
        const member = subscription.member;
        if (subscription.stopping || restarting || stalledFor(member) <= stallAfterMs) return;
        const why = `no fetch, heartbeat or progress for ${Math.round(stalledFor(member) / 1000)} s`;
        this.report(`kafka consumer of group ${group} stalled (${why}); restarting it`, undefined);
        restart(member, why, 0);
      },
      Math.max(250, Math.floor(stallAfterMs / 4)),
    );
    watchdog.unref();

    subscription.member = createMember();
    this.subscriptions.add(subscription);
    try {
      await start(subscription.member);
    } catch (error) {
      await subscription.stop().catch(() => undefined);
      throw error;
    }
    return { stop: () => subscription.stop() };
  }

  /** Takes what the stream holds, by partition in order, to `handle`; ends with the stream or the member. */
  private async run(subscription: Subscription, member: Member, handle: PartitionHandler): Promise<void> {
    const stream = member.stream!;
    const concurrency = this.options.partitionsConsumedConcurrently ?? 3;
    while (!member.retired && !subscription.stopping) {
      const chunk = await nextChunk(stream, CHUNK_MAX);
      if (chunk === undefined) return;
      const byPartition = new Map<number, StringMessage[]>();
      for (const message of chunk) {
        // A rejoin refetches from the committed offsets: what this member handled since is skipped.
        const handled = member.handled.get(message.partition);
        if (handled !== undefined && message.offset <= handled) continue;
        let list = byPartition.get(message.partition);
        if (!list) byPartition.set(message.partition, (list = []));
        list.push(message);
      }
      member.busy = true;
      try {
        await forEachLimited([...byPartition.values()], concurrency, (messages) => handle(subscription, member, messages));
      } finally {
        member.busy = false;
        progress(member);
      }
    }
  }

  /** Commits past `message` for its partition. A member that lost the partition meanwhile cannot: the next owner redelivers. */
  private async commit(member: Member, message: StringMessage): Promise<void> {
    if (member.retired && !member.stream) return;
    try {
      await message.commit();
    } catch (error) {
      if (hasFlag(error, 'needsRejoin') || hasFlag(error, 'rebalanceInProgress') || member.retired) return;
      this.report(`committing offset ${message.offset} of ${message.topic}/${message.partition} failed; it will be redelivered`, error);
    }
  }

  /** Closes a member's stream and consumer; the consumer leaves its group. */
  private async closeMember(member: Member): Promise<void> {
    member.retired = true;
    await member.stream?.close().catch(() => undefined);
    await closeConsumer(member.consumer);
  }

  /** Checks that the cluster answers (and the bus is open), and that no consumer of this bus is down or stalled. */
  async ping(): Promise<void> {
    this.assertOpen();
    await this.admin.metadata({ topics: [], forceUpdate: true });
    assertConsumersUp(this.subscriptions);
  }

  /**
   * The group's lag on the topic: per partition, the high watermark − the committed offset (a
   * partition the group never committed on counts from its low watermark). For the metrics scrape.
   */
  async consumerLag(group: string): Promise<number> {
    this.assertOpen();
    const meta = await this.admin.metadata({ topics: [this.topic] });
    const partitions = Array.from({ length: meta.topics.get(this.topic)?.partitionsCount ?? 0 }, (_, i) => i);
    const offsets = (timestamp: bigint) =>
      this.admin.listOffsets({ topics: [{ name: this.topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }] });
    const [high, low, groups] = await Promise.all([
      offsets(LATEST),
      offsets(EARLIEST),
      this.admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: this.topic, partitionIndexes: partitions }] }] }),
    ]);
    const committed = new Map((groups[0]?.topics.find((t) => t.name === this.topic)?.partitions ?? []).map((p) => [p.partitionIndex, p.committedOffset]));
    const lows = new Map((low[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    return consumerGroupLag(
      (high[0]?.partitions ?? []).map((end) => ({ high: end.offset, low: lows.get(end.partitionIndex) ?? 0n, committed: committed.get(end.partitionIndex) })),
    );
  }

  /** Stops every subscription, then closes the producer and the admin client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop().catch((error: unknown) => this.report('stopping a consumer failed', error))));
    await Promise.all([this.producer.close().catch(() => undefined), this.admin.close().catch(() => undefined)]);
  }

  /** Writes a dead letter durably; retries until it succeeds or the member gives up (then the offset is not committed). */
  private async deadLetter(
    subscription: Subscription,
    member: Member,
    letter: { group: string; dlqTopic: string; message: StringMessage; reason: string },
  ): Promise<void> {
    const { message } = letter;
    const headers = deadLetterHeaders({ ...letter, topic: message.topic, partition: message.partition, offset: String(message.offset) });
    await sendDeadLetter(() => this.send([{ topic: letter.dlqTopic, key: message.key, value: message.value ?? '', headers }]), {
      dlqTopic: letter.dlqTopic,
      givingUp: () => subscription.stopping || member.retired || this.closed,
      onError: this.report,
    });
  }

  /** Creates the topic if it does not exist and waits until every partition has a leader (idempotent). */
  private ensureTopic(topic: string): Promise<void> {
    return ensureTopicOnce(
      this.topicsReady,
      topic,
      async () => {
        await this.admin.createTopics({ topics: [topic], partitions: this.partitions, replicas: this.replicationFactor }).catch((error: unknown) => {
          if (!hasCode(error, TOPIC_ALREADY_EXISTS)) throw error;
        });
        const meta = await this.admin.metadata({ topics: [topic], forceUpdate: true });
        if (!meta.topics.get(topic)?.partitions.every((p) => p.leader >= 0)) throw new LeaderlessTopicError(topic);
      },
      (error) => hasFlag(error, 'canRetry') || hasFlag(error, 'hasStaleMetadata'),
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the kafka bus is closed');
  }
}

const TOPIC_ALREADY_EXISTS = 36;
// ListOffsets timestamps: the next offset to be written (high watermark), the first one kept.
const LATEST = -1n;
const EARLIEST = -2n;

/** Where and how the client connects: brokers, client id, TLS and SASL (the CRM_KAFKA_SSL/SASL_* settings). */
function connection(options: Pick<KafkaBusCommonOptions, 'brokers' | 'clientId' | 'ssl' | 'sasl'>) {
  return {
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    ...(options.ssl ? { tls: options.ssl === true ? {} : { ca: options.ssl.ca } } : {}),
    ...(options.sasl
      ? {
          sasl: {
            mechanism: options.sasl.mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
            username: options.sasl.username,
            password: options.sasl.password,
          },
        }
      : {}),
  };
}

/** A sign of life of a busy member: a message started, a retry backoff began or ended. */
function progress(member: Member): void {
  member.lastAlive = Date.now();
}

/** True when the client's error, or one it aggregates, has `flag` set. */
function hasFlag(error: unknown, flag: string): boolean {
  const e = error as { [key: string]: unknown; findBy?: (key: string, value: unknown) => unknown };
  return e?.[flag] === true || Boolean(e?.findBy?.(flag, true));
}

function hasCode(error: unknown, apiCode: number): boolean {
  const e = error as { apiCode?: unknown; findBy?: (key: string, value: unknown) => unknown };
  return e?.apiCode === apiCode || Boolean(e?.findBy?.('apiCode', apiCode));
}

const pulled = new WeakSet<StringStream>();

/**
 * The messages the stream holds (at most `max`), waiting for at least one; undefined once the
 * stream ended or was closed. Pull mode (`read()`), so the stream's own buffer is the backpressure.
 */
function nextChunk(stream: StringStream, max: number): Promise<StringMessage[] | undefined> {
  // The client fetches only while someone listens (readableFlowing not null): a 'readable' listener
  // that stays for the stream's life keeps it fetching between chunks.
  if (!pulled.has(stream)) {
    pulled.add(stream);
    stream.on('readable', () => undefined);
  }
  const take = (): StringMessage[] => {
    const out: StringMessage[] = [];
    while (out.length < max) {
      const message = stream.read() as StringMessage | null;
      if (message === null) break;
      out.push(message);
    }
    return out;
  };
  return new Promise((resolve, reject) => {
    const first = take();
    if (first.length > 0) return resolve(first);
    if (stream.readableEnded || stream.destroyed || stream.closed) return resolve(undefined);
    const done = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      const got = take();
      if (got.length === 0) return;
      done();
      resolve(got);
    };
    const onEnd = (): void => {
      done();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onError);
  });
}

/** Closes a consumer, its streams first, and leaves its group; never rejects. */
function closeConsumer(consumer: StringConsumer): Promise<void> {
  return new Promise((resolve) => consumer.close(true, () => resolve()));
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Reads a dead-letter topic from the beginning with a throwaway consumer group, until
 * `expectedCount` letters were read or `timeoutMs` passed; resolves with the letters read (fewer
 * than expected on timeout). For tests and ops tooling.
 */
export async function readDeadLettersPlatformatic(
  brokers: string[],
  dlqTopic: string,
  expectedCount: number,
  timeoutMs = 30000,
  security: Pick<KafkaBusCommonOptions, 'ssl' | 'sasl'> = {},
): Promise<DeadLetter[]> {
  const groupId = `crm-dlq-reader-${randomUUID()}`;
  const consumer: StringConsumer = new Consumer({
    ...connection({ ...security, brokers, clientId: 'crm-dlq-reader' }),
    groupId,
    deserializers: deserializersFrom(stringDeserializer),
    autocommit: false,
    maxWaitTime: 250,
  });
  const letters: DeadLetter[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    if (expectedCount <= 0) return letters;
    const stream = await consumer.consume({ topics: [dlqTopic], mode: 'earliest' });
    try {
      while (letters.length < expectedCount && Date.now() < deadline) {
        const chunk = await Promise.race([nextChunk(stream, CHUNK_MAX), delay(Math.max(0, deadline - Date.now())).then(() => undefined)]);
        if (!chunk) break;
        for (const message of chunk) letters.push(deadLetterOf(dlqTopic, message.value ?? '', (name) => message.headers.get(name) ?? ''));
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  } finally {
    await closeConsumer(consumer);
    const admin = new Admin(connection({ ...security, brokers, clientId: 'crm-dlq-reader' }));
    await admin
      .deleteGroups({ groups: [groupId] })
      .catch(() => undefined)
      .finally(() => admin.close().catch(() => undefined));
  }
  return letters;
}
