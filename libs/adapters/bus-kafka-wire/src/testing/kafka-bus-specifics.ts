import type { DeadLetter, IntegrationBus } from '@crm/bus';
import { gate, testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from '@crm/bus/testing';
import type { IntegrationEventRegistry } from '@crm/bus';
import { DLQ_HEADERS } from '../kafka-wire';

/** A Kafka bus adapter as the specifics cases drive it. */
export interface KafkaTestBus extends IntegrationBus {
  publishRaw(subject: string, raw: string): Promise<void>;
  dlqTopic(group: string): string;
}

/** A message of a topic as stored. */
export interface RawKafkaMessage {
  key: string | undefined;
  value: string | undefined;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export interface KafkaSpecificsHarness {
  /** A bus of the adapter under test on `topic`, with the run's DLQ prefix and a short fetch wait. */
  create(
    registry: IntegrationEventRegistry,
    options: { clientId: string; topic: string; partitions?: number; stallAfterMs?: number; onError?(message: string, error: unknown): void },
  ): KafkaTestBus;
  readDeadLetters(dlqTopic: string, expectedCount: number): Promise<DeadLetter[]>;
  /** Every message of a topic, read with a throwaway group until `count` were seen. */
  readTopic(name: string, count: number): Promise<RawKafkaMessage[]>;
  partitionCount(topic: string): Promise<number>;
  /** Deletes the run's topics. */
  cleanup(): Promise<void>;
}

/**
 * What both Kafka bus adapters must show beyond the port's conformance suite: the wire format they
 * share (keys, CloudEvents headers, dead-letter headers with the source coordinates), idempotent
 * topic creation, the watchdog replacing a consumer stuck on a handler that never returns (and
 * `ping()` failing meanwhile), and refusing to publish after close.
 */
export function describeKafkaBusSpecifics(name: string, specTopic: string, harness: KafkaSpecificsHarness): void {
  describe(`${name} specifics`, () => {
    let bus: KafkaTestBus;
    beforeAll(() => {
      bus = harness.create(testRegistry(), { clientId: 'crm-bus-specifics', topic: specTopic, partitions: 2 });
    });
    afterAll(async () => {
      await bus.close();
      await harness.cleanup();
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
        const letters = await harness.readDeadLetters(bus.dlqTopic(group), 1);
        expect(letters).toHaveLength(1);
        expect(letters[0]).toMatchObject({ group, raw: 'garbage', sourceTopic: specTopic, reason: 'invalid message: message is not valid JSON' });
        await waitFor(() => seen.includes(event.id), 60000, 'the valid event');
      } finally {
        await sub.stop();
      }

      const raw = await harness.readTopic(specTopic, 2);
      const published = raw.find((m) => m.value === JSON.stringify(event));
      expect(published).toMatchObject({ key: subject, headers: { ce_type: event.type, ce_id: event.id } });
      const garbage = raw.find((m) => m.value === 'garbage');
      expect(garbage?.key).toBe(subject);

      const dlq = await harness.readTopic(bus.dlqTopic(group), 1);
      expect(dlq[0].key).toBe(subject);
      expect(dlq[0].headers[DLQ_HEADERS.sourceTopic]).toBe(specTopic);
      expect(dlq[0].headers[DLQ_HEADERS.sourcePartition]).toBe(String(garbage?.partition));
      expect(dlq[0].headers[DLQ_HEADERS.sourceOffset]).toBe(garbage?.offset);
      expect(dlq[0].headers[DLQ_HEADERS.group]).toBe(group);
    });

    it('creates its topics idempotently with the configured partitions', async () => {
      const other = harness.create(testRegistry(), { clientId: 'crm-bus-specifics-2', topic: specTopic, partitions: 2 });
      try {
        await other.publish([testIntegrationEvent(uniqueSubject())]);
        await other.ping();
      } finally {
        await other.close();
      }
      expect(await harness.partitionCount(specTopic)).toBe(2);
    });

    it('replaces a consumer that shows no sign of life (here a handler that never returns), and reports itself down until then', async () => {
      const errors: string[] = [];
      const watched = harness.create(testRegistry(), {
        clientId: 'crm-bus-watchdog',
        topic: `${specTopic}.watchdog`,
        partitions: 1, // one partition: the hung handler holds it
        stallAfterMs: Number(process.env.CRM_TEST_STALL_AFTER_MS ?? 2000),
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
      const pings = (): Promise<boolean> =>
        watched.ping().then(
          () => true,
          () => false,
        );
      try {
        await watched.publish([first, second]);
        await waitFor(() => calls.length === 1, 60000, 'the first delivery');
        await waitFor(async () => !(await pings()), 60000, 'ping to report the stalled consumer');
        await expect(watched.ping()).rejects.toThrow(/consumer of group watchdog\..*(no fetch|stalled)/);
        await waitFor(() => calls.includes(second.id), 120000, 'the replacing consumer to redeliver the first event and deliver the second');
        expect(calls.filter((id) => id === first.id).length).toBeGreaterThanOrEqual(2);
        expect(errors.some((m) => /consumer of group watchdog\..* stalled/.test(m))).toBe(true);
        await waitFor(pings, 60000, 'ping to pass again');
      } finally {
        hung.open();
        await sub.stop();
        await watched.close();
      }
    });

    it("reports a group's lag on the topic: everything before it consumed, 0 once it committed", async () => {
      const lagged = harness.create(testRegistry(), { clientId: 'crm-bus-lag', topic: `${specTopic}.lag`, partitions: 2 });
      const group = uniqueGroup('lag');
      try {
        const events = Array.from({ length: 6 }, () => testIntegrationEvent(uniqueSubject()));
        await lagged.publish(events);
        expect(await lagged.consumerLag?.(group)).toBe(6);
        const seen = new Set<string>();
        const sub = await lagged.subscribeBatch({ group, handleBatch: async (batch) => batch.forEach((e) => seen.add(e.id)) });
        try {
          await waitFor(async () => seen.size === 6 && (await lagged.consumerLag?.(group)) === 0, 60000, 'the group to commit everything (lag 0)');
        } finally {
          await sub.stop();
        }
      } finally {
        await lagged.close();
      }
    });

    it('refuses to publish after close', async () => {
      const closed = harness.create(testRegistry(), { clientId: 'crm-bus-closed', topic: specTopic });
      await closed.close();
      await expect(closed.publish([testIntegrationEvent(uniqueSubject())])).rejects.toThrow(/closed/);
    });
  });
}
