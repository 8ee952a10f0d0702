import { randomUUID } from 'node:crypto';
import { testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from '@crm/bus/testing';
import type { IntegrationBus } from '@crm/bus';
import { KafkaBus } from '@crm/bus-kafka';
import { PlatformaticKafkaBus } from '@crm/bus-kafka-platformatic';
import type { KafkaBusCommonOptions } from '@crm/bus-kafka-wire';
import { logLevel } from 'kafkajs';
import { localInfra } from './local-infra';

const list = (value: string | undefined): string[] => (value ?? '').split(',').filter(Boolean);
const brokers3 = list(process.env.KAFKA_BROKERS);
const brokers4 = list(process.env.KAFKA4_BROKERS);
if (brokers3.length === 0 || brokers4.length === 0) throw new Error('KAFKA_BROKERS and KAFKA4_BROKERS must be set: run with `npm run test:infra`');

const describeWithLocalInfra = localInfra.available ? describe : describe.skip;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Both adapters: kafkajs on Kafka 3.9, @platformatic/kafka on Kafka 4.x (what the manifests run).
const adapters = [
  {
    name: 'kafkajs on Kafka 3.9',
    broker: 'kafka' as const,
    create: (options: Omit<KafkaBusCommonOptions, 'brokers'>) => new KafkaBus(testRegistry(), { ...options, brokers: brokers3, logLevel: logLevel.NOTHING }),
  },
  {
    name: '@platformatic/kafka on Kafka 4.x',
    broker: 'kafka4' as const,
    create: (options: Omit<KafkaBusCommonOptions, 'brokers'>) => new PlatformaticKafkaBus(testRegistry(), { ...options, brokers: brokers4 }),
  },
];

describe.each(adapters)('$name', ({ broker, create }) =>
  describeWithLocalInfra(
    'a consumer through a broker outage longer than the client retries (skipped unless deploy/local started the broker, because it kills it)',
    () => {
      const run = randomUUID();
      const errors: string[] = [];
      let bus: IntegrationBus;

      beforeAll(() => {
        bus = create({
          clientId: 'crm-outage',
          topic: `crm.outage.${run}`,
          dlqPrefix: `crm.outage-dlq.${run}.`,
          partitions: 2,
          maxWaitTimeInMs: 250,
          stallAfterMs: 5000,
          onError: (message) => void errors.push(message),
        });
      });
      afterAll(async () => {
        localInfra.startBroker(broker); // whatever happened, leave a broker behind for the next suite
        await bus.close();
      }, 120000);

      it('reports itself down meanwhile, then consumes again without a restart of the process', async () => {
        const seen: string[] = [];
        const sub = await bus.subscribe({ group: uniqueGroup('outage'), handler: async (e) => void seen.push(e.id) });
        try {
          const before = testIntegrationEvent(uniqueSubject());
          await bus.publish([before]);
          await waitFor(() => seen.includes(before.id), 60000, 'the event before the outage');

          localInfra.killBroker(broker);
          await waitFor(
            () =>
              bus.ping().then(
                () => false,
                () => true,
              ),
            60000,
            'ping to fail while the broker is down',
          );
          await pause(25000);
          await expect(bus.ping()).rejects.toThrow();

          localInfra.startBroker(broker);
          const after = testIntegrationEvent(uniqueSubject());
          // The producer's own retries may run out while the broker starts: publish until it is taken.
          await waitFor(
            () =>
              bus.publish([after]).then(
                () => true,
                () => false,
              ),
            120000,
            'the broker to take an event again',
          );
          await waitFor(() => seen.includes(after.id), 120000, 'the event after the outage to be consumed');
          await waitFor(
            () =>
              bus.ping().then(
                () => true,
                () => false,
              ),
            60000,
            'ping to pass again',
          );
          expect(errors.some((m) => /consumer of group .*(crashed|stalled|restarting)/.test(m))).toBe(true);
        } finally {
          await sub.stop();
        }
      }, 300000);
    },
  ),
);
