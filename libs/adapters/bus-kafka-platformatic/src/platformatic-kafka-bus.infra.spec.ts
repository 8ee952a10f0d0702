import { randomUUID } from 'node:crypto';
import { describeBusConformance, testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from '@crm/bus/testing';
import { KafkaBus } from '@crm/bus-kafka';
import { describeKafkaBusSpecifics, type RawKafkaMessage } from '@crm/bus-kafka-wire/testing';
import { Admin, Consumer, deserializersFrom, stringDeserializer } from '@platformatic/kafka';
import { logLevel } from 'kafkajs';
import { PlatformaticKafkaBus, readDeadLettersPlatformatic } from './platformatic-kafka-bus';

// Needs real brokers: `npm run test:infra` provides KAFKA_BROKERS (Kafka 3.9, deploy/local/kafka.sh) and
// KAFKA4_BROKERS (Kafka 4.x, deploy/local/kafka4.sh). The adapter passes the same suite on both.
const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
const brokers3 = list(process.env.KAFKA_BROKERS);
const brokers4 = list(process.env.KAFKA4_BROKERS);
if (brokers3.length === 0 || brokers4.length === 0) {
  throw new Error(
    'KAFKA_BROKERS and KAFKA4_BROKERS must both be set: the @platformatic/kafka bus suite runs against Kafka 3.9 and 4.x (e.g. 127.0.0.1:19092 and 127.0.0.1:19094, see deploy/local/kafka.sh and kafka4.sh)',
  );
}

// A unique topic (and DLQ prefix) per run, so runs never see each other's messages.
const run = randomUUID();
const dlqPrefix = `crm.test-dlq.${run}.`;

for (const [label, brokers] of [
  ['Kafka 3.9', brokers3],
  ['Kafka 4.x', brokers4],
] as const) {
  const topic = `crm.test.${run}.${label.replace(/\W+/g, '')}`;
  describeBusConformance(`@platformatic/kafka bus on ${label}`, {
    async create(registry) {
      const bus = new PlatformaticKafkaBus(registry, { brokers, clientId: 'crm-bus-conformance', topic, dlqPrefix, partitions: 3, maxWaitTimeInMs: 250 });
      return {
        bus,
        publishRaw: (subject, raw) => bus.publishRaw(subject, raw),
        readDeadLetters: (group, expectedCount) => readDeadLettersPlatformatic(brokers, bus.dlqTopic(group), expectedCount, 60000),
        cleanup: () => deleteTestTopics(brokers),
      };
    },
  });
}

describeKafkaBusSpecifics('PlatformaticKafkaBus on Kafka 4.x', `crm.test.${run}.specifics`, {
  create: (registry, options) => new PlatformaticKafkaBus(registry, { brokers: brokers4, dlqPrefix, maxWaitTimeInMs: 250, ...options }),
  readDeadLetters: (dlqTopic, expectedCount) => readDeadLettersPlatformatic(brokers4, dlqTopic, expectedCount, 60000),
  readTopic: (name, count) => readTopic(brokers4, name, count),
  async partitionCount(name) {
    const admin = new Admin({ clientId: 'crm-bus-specifics-admin', bootstrapBrokers: brokers4 });
    try {
      return (await admin.metadata({ topics: [name], forceUpdate: true })).topics.get(name)?.partitionsCount ?? 0;
    } finally {
      await admin.close();
    }
  },
  cleanup: () => deleteTestTopics(brokers4),
});

describe('PlatformaticKafkaBus beside KafkaBus (Kafka 3.9)', () => {
  const shared = `crm.test.${run}.mixed`;
  afterAll(() => deleteTestTopics(brokers3));

  it('puts a subject on the same partition as the kafkajs adapter, so both can share a topic during a switch', async () => {
    const registry = testRegistry();
    const platformatic = new PlatformaticKafkaBus(registry, { brokers: brokers3, clientId: 'crm-bus-mixed-p', topic: shared, dlqPrefix, partitions: 6 });
    const kafkajs = new KafkaBus(registry, {
      brokers: brokers3,
      clientId: 'crm-bus-mixed-k',
      topic: shared,
      dlqPrefix,
      partitions: 6,
      logLevel: logLevel.NOTHING,
    });
    const subjects = Array.from({ length: 12 }, () => uniqueSubject('mixed'));
    try {
      await platformatic.publish(subjects.map((s) => testIntegrationEvent(s, 0)));
      await kafkajs.publish(subjects.map((s) => testIntegrationEvent(s, 1)));
    } finally {
      await Promise.all([platformatic.close(), kafkajs.close()]);
    }
    const messages = await readTopic(brokers3, shared, subjects.length * 2);
    for (const s of subjects) {
      const partitions = new Set(messages.filter((m) => m.key === s).map((m) => m.partition));
      expect(partitions.size).toBe(1);
    }
  });

  it('shares a consumer group with kafkajs members: both get partitions, together every event once per group', async () => {
    const topic = `${shared}.group`;
    const registry = testRegistry();
    const platformatic = new PlatformaticKafkaBus(registry, {
      brokers: brokers3,
      clientId: 'crm-bus-group-p',
      topic,
      dlqPrefix,
      partitions: 6,
      maxWaitTimeInMs: 250,
    });
    const kafkajs = new KafkaBus(registry, {
      brokers: brokers3,
      clientId: 'crm-bus-group-k',
      topic,
      dlqPrefix,
      partitions: 6,
      maxWaitTimeInMs: 250,
      logLevel: logLevel.NOTHING,
    });
    const group = uniqueGroup('mixed');
    const byAdapter = { platformatic: new Set<string>(), kafkajs: new Set<string>() };
    try {
      const subs = [
        await kafkajs.subscribe({ group, handler: async (e) => void byAdapter.kafkajs.add(e.id) }),
        await platformatic.subscribe({ group, handler: async (e) => void byAdapter.platformatic.add(e.id) }),
      ];
      try {
        // Published until both members took some: the second member's join rebalances the group.
        const ids = new Set<string>();
        await waitFor(
          async () => {
            const events = Array.from({ length: 24 }, () => testIntegrationEvent(uniqueSubject('mixed')));
            await platformatic.publish(events);
            for (const e of events) ids.add(e.id);
            return byAdapter.platformatic.size > 0 && byAdapter.kafkajs.size > 0;
          },
          60000,
          'events handled by members of both adapters',
        );
        await waitFor(() => [...ids].every((id) => byAdapter.platformatic.has(id) || byAdapter.kafkajs.has(id)), 60000, 'every event');
      } finally {
        await Promise.all(subs.map((s) => s.stop()));
      }
    } finally {
      await Promise.all([platformatic.close(), kafkajs.close()]);
    }
  });
});

/** Every message of a topic as stored, read with a throwaway group until `count` were seen. */
async function readTopic(brokers: string[], name: string, count: number): Promise<RawKafkaMessage[]> {
  const consumer = new Consumer({
    groupId: `reader-${randomUUID()}`,
    clientId: 'crm-bus-reader',
    bootstrapBrokers: brokers,
    deserializers: deserializersFrom(stringDeserializer),
    autocommit: false,
    maxWaitTime: 250,
  });
  const messages: RawKafkaMessage[] = [];
  const stream = await consumer.consume({ topics: [name], mode: 'earliest' });
  stream.on('data', (m) => {
    messages.push({
      key: m.key,
      value: m.value,
      partition: m.partition,
      offset: String(m.offset),
      headers: Object.fromEntries([...m.headers].map(([k, v]) => [k ?? '', v ?? ''])),
    });
  });
  try {
    await waitFor(() => messages.length >= count, 60000, `${count} messages of ${name}`);
  } finally {
    await stream.close();
    await consumer.close(true);
  }
  return messages;
}

/** Deletes this run's topics on a broker (the main test topics and every DLQ of the run). */
async function deleteTestTopics(brokers: string[]): Promise<void> {
  const admin = new Admin({ clientId: 'crm-bus-cleanup', bootstrapBrokers: brokers });
  try {
    const names = (await admin.listTopics()).filter((t) => t.includes(run));
    if (names.length) await admin.deleteTopics({ topics: names }).catch(() => undefined);
  } finally {
    await admin.close();
  }
}
