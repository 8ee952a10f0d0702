import { randomUUID } from 'node:crypto';
import { describeBusConformance, gate, testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from '@crm/bus/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DLQ_HEADERS, KafkaBus, readDeadLetters } from './kafka-bus';

// Needs a real broker: `npm run test:infra` provides KAFKA_BROKERS (deploy/local/kafka.sh up).
const brokers = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
if (brokers.length === 0) {
  throw new Error('KAFKA_BROKERS is not set: the Kafka bus suite needs a broker (e.g. KAFKA_BROKERS=127.0.0.1:19092, see deploy/local/kafka.sh)');
}

// A unique topic (and DLQ prefix) per run, so runs never see each other's messages.
const run = randomUUID();
const topic = `crm.test.${run}`;
const dlqPrefix = `crm.test-dlq.${run}.`;

describeBusConformance('Kafka bus', {
  async create(registry) {
    const bus = new KafkaBus(registry, {
      brokers,
      clientId: 'crm-bus-conformance',
      topic,
      dlqPrefix,
      partitions: 3,
      maxWaitTimeInMs: 250,
      logLevel: logLevel.NOTHING,
    });
    return {
      bus,
      publishRaw: (subject, raw) => bus.publishRaw(subject, raw),
      readDeadLetters: (group, expectedCount) => readDeadLetters(brokers, bus.dlqTopic(group), expectedCount, 60000, { logLevel: logLevel.NOTHING }),
      async cleanup() {
        await deleteTestTopics();
      },
    };
  },
});

describe('KafkaBus specifics', () => {
  const specTopic = `${topic}.specifics`;
  let bus: KafkaBus;
  beforeAll(() => {
    bus = new KafkaBus(testRegistry(), {
      brokers,
      clientId: 'crm-bus-specifics',
      topic: specTopic,
      dlqPrefix,
      partitions: 2,
      maxWaitTimeInMs: 250,
      logLevel: logLevel.NOTHING,
    });
  });
  afterAll(async () => {
    await bus.close();
    await deleteTestTopics();
  });

  it('keys messages by subject, with CloudEvents headers, and dead-letters with the source coordinates in headers', async () => {
    const subject = uniqueSubject();
    const event = testIntegrationEvent(subject);
    await bus.publish([event]);
    await bus.publishRaw(subject, 'garbage');
    const group = uniqueGroup('specifics');
    const seen: string[] = [];
    const sub = await bus.subscribe({ group, handler: async (e) => void seen.push(e.id) });
    try {
      const letters = await readDeadLetters(brokers, bus.dlqTopic(group), 1, 60000, { logLevel: logLevel.NOTHING });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ group, raw: 'garbage', sourceTopic: specTopic, reason: 'invalid message: message is not valid JSON' });
      await waitFor(() => seen.includes(event.id), 60000, 'the valid event');
    } finally {
      await sub.stop();
    }

    const raw = await readTopic(specTopic, 2);
    const published = raw.find((m) => m.value === JSON.stringify(event));
    expect(published).toMatchObject({ key: subject, headers: { ce_type: event.type, ce_id: event.id } });
    const garbage = raw.find((m) => m.value === 'garbage');
    expect(garbage?.key).toBe(subject);

    const dlq = await readTopic(bus.dlqTopic(group), 1);
    expect(dlq[0].key).toBe(subject);
    expect(dlq[0].headers[DLQ_HEADERS.sourceTopic]).toBe(specTopic);
    expect(dlq[0].headers[DLQ_HEADERS.sourcePartition]).toBe(String(garbage?.partition));
    expect(dlq[0].headers[DLQ_HEADERS.sourceOffset]).toBe(garbage?.offset);
    expect(dlq[0].headers[DLQ_HEADERS.group]).toBe(group);
  });

  it('creates its topics idempotently with the configured partitions', async () => {
    const other = new KafkaBus(testRegistry(), {
      brokers,
      clientId: 'crm-bus-specifics-2',
      topic: specTopic,
      dlqPrefix,
      partitions: 2,
      logLevel: logLevel.NOTHING,
    });
    try {
      await other.publish([testIntegrationEvent(uniqueSubject())]);
      await other.ping();
    } finally {
      await other.close();
    }
    const admin = new Kafka({ brokers, clientId: 'crm-bus-specifics-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [specTopic] });
      expect(topics[0].partitions).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }
  });

  it('replaces a consumer that shows no sign of life (here a handler that never returns), and reports itself down until then', async () => {
    const errors: string[] = [];
    const watched = new KafkaBus(testRegistry(), {
      brokers,
      clientId: 'crm-bus-watchdog',
      topic: `${specTopic}.watchdog`,
      dlqPrefix,
      partitions: 1, // one partition: the hung handler holds the only fetch loop
      maxWaitTimeInMs: 250,
      stallAfterMs: Number(process.env.CRM_TEST_STALL_AFTER_MS ?? 2000),
      logLevel: logLevel.NOTHING,
      onError: (message) => void errors.push(message),
    });
    const hung = gate();
    const first = testIntegrationEvent(uniqueSubject());
    const second = testIntegrationEvent(uniqueSubject());
    const calls: string[] = [];
    const sub = await watched.subscribe({
      group: uniqueGroup('watchdog'),
      handler: async (e) => {
        calls.push(e.id);
        // The first delivery hangs (as on a call without a timeout); a redelivery goes through.
        if (calls.length === 1) await hung.promise;
      },
    });
    try {
      await watched.publish([first, second]);
      await waitFor(() => calls.length === 1, 60000, 'the first delivery');
      await waitFor(
        () =>
          watched.ping().then(
            () => false,
            () => true,
          ),
        60000,
        'ping to report the stalled consumer',
      );
      await expect(watched.ping()).rejects.toThrow(/consumer of group watchdog\..*(no fetch or heartbeat|stalled)/);
      await waitFor(() => calls.includes(second.id), 120000, 'the replacing consumer to redeliver the first event and deliver the second');
      expect(calls.filter((id) => id === first.id).length).toBeGreaterThanOrEqual(2);
      expect(errors.some((m) => /consumer of group watchdog\..* stalled/.test(m))).toBe(true);
      await waitFor(
        () =>
          watched.ping().then(
            () => true,
            () => false,
          ),
        60000,
        'ping to pass again',
      );
    } finally {
      hung.open();
      await sub.stop();
      await watched.close();
    }
  });

  it('refuses to publish after close', async () => {
    const closed = new KafkaBus(testRegistry(), { brokers, clientId: 'crm-bus-closed', topic: specTopic, logLevel: logLevel.NOTHING });
    await closed.close();
    await expect(closed.publish([testIntegrationEvent(uniqueSubject())])).rejects.toThrow(/closed/);
  });
});

interface RawMessage {
  key: string | undefined;
  value: string | undefined;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/** Every message of a topic as stored, read with a throwaway group until `count` were seen. */
async function readTopic(name: string, count: number): Promise<RawMessage[]> {
  const kafka = new Kafka({ brokers, clientId: 'crm-bus-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 250 });
  const messages: RawMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [name], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = (Array.isArray(v) ? v[0] : v).toString();
        messages.push({ key: message.key?.toString(), value: message.value?.toString(), partition, offset: message.offset, headers });
      },
    });
    await waitFor(() => messages.length >= count, 60000, `${count} messages of ${name}`);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Deletes this run's topics (the main test topics and every DLQ of the run). */
async function deleteTestTopics(): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'crm-bus-cleanup', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.includes(run));
    if (names.length) await admin.deleteTopics({ topics: names }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
