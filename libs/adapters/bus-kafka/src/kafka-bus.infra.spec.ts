import { randomUUID } from 'node:crypto';
import { describeBusConformance, waitFor } from '@crm/bus/testing';
import { describeKafkaBusSpecifics, type RawKafkaMessage } from '@crm/bus-kafka-wire/testing';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus, readDeadLetters } from './kafka-bus';

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

describeKafkaBusSpecifics('KafkaBus', `${topic}.specifics`, {
  create: (registry, options) => new KafkaBus(registry, { brokers, dlqPrefix, maxWaitTimeInMs: 250, logLevel: logLevel.NOTHING, ...options }),
  readDeadLetters: (dlqTopic, expectedCount) => readDeadLetters(brokers, dlqTopic, expectedCount, 60000, { logLevel: logLevel.NOTHING }),
  readTopic,
  async partitionCount(name) {
    const admin = new Kafka({ brokers, clientId: 'crm-bus-specifics-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      return topics[0].partitions.length;
    } finally {
      await admin.disconnect();
    }
  },
  cleanup: deleteTestTopics,
});

/** Every message of a topic as stored, read with a throwaway group until `count` were seen. */
async function readTopic(name: string, count: number): Promise<RawKafkaMessage[]> {
  const kafka = new Kafka({ brokers, clientId: 'crm-bus-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 250 });
  const messages: RawKafkaMessage[] = [];
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
