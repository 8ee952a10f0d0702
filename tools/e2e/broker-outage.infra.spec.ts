import { randomUUID } from 'node:crypto';
import { testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from '@crm/bus/testing';
import { KafkaBus } from '@crm/bus-kafka';
import { logLevel } from 'kafkajs';
import { localInfra } from './local-infra';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) throw new Error('KAFKA_BROKERS must be set: run with `npm run test:infra`');

const describeWithLocalInfra = localInfra.available ? describe : describe.skip;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// kafkajs gives up on a connection after its retries (5 by default, about 9 s of backoff) and can
// then hang without crashing (kafkajs#660, #1163): a consumer that once stopped that way after the
// chaos run's broker SIGKILL. The bus restarts a consumer that shows no sign of life; this outage
// lasts well past the client's retries.
describeWithLocalInfra(
  'a consumer through a broker outage longer than the client retries (skipped unless deploy/local started the broker, because it kills it)',
  () => {
    const run = randomUUID();
    const errors: string[] = [];
    let bus: KafkaBus;

    beforeAll(() => {
      bus = new KafkaBus(testRegistry(), {
        brokers,
        clientId: 'crm-outage',
        topic: `crm.outage.${run}`,
        dlqPrefix: `crm.outage-dlq.${run}.`,
        partitions: 2,
        maxWaitTimeInMs: 250,
        stallAfterMs: 5000,
        logLevel: logLevel.NOTHING,
        onError: (message) => void errors.push(message),
      });
    });
    afterAll(async () => {
      localInfra.startBroker(); // whatever happened, leave a broker behind for the next suite
      await bus.close();
    }, 120000);

    it('reports itself down meanwhile, then consumes again without a restart of the process', async () => {
      const seen: string[] = [];
      const sub = await bus.subscribe({ group: uniqueGroup('outage'), handler: async (e) => void seen.push(e.id) });
      try {
        const before = testIntegrationEvent(uniqueSubject());
        await bus.publish([before]);
        await waitFor(() => seen.includes(before.id), 60000, 'the event before the outage');

        localInfra.killBroker();
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

        localInfra.startBroker();
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
);
