/**
 * bus: the two Kafka bus adapters against the same broker in the same run — @platformatic/kafka
 * (`CRM_KAFKA_CLIENT=platformatic`) measured against kafkajs (`kafkajs`, the baseline).
 * - publish rate: events/s of `publish()` with pages of 100 events (as the relay publishes), the
 *   two adapters in alternating rounds (`interleaved`), each on its own topic;
 * - end-to-end latency: from `publish()` of one event to its handler on a subscribed group, one event
 *   in flight at a time, samples of the two adapters alternating; p50 and p99.
 * Needs KAFKA_BROKERS (skipped otherwise); kafkajs cannot reach Kafka 4, so this runs on the 3.9 broker.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { IntegrationBus, IntegrationEvent } from '@crm/bus';
import { testIntegrationEvent, testRegistry } from '@crm/bus/testing';
import { KafkaBus } from '@crm/bus-kafka';
import { PlatformaticKafkaBus } from '@crm/bus-kafka-platformatic';
import { Admin } from '@platformatic/kafka';
import { logLevel } from 'kafkajs';
import { interleaved, percentile, round, type BenchContext, type BenchModule, type Figure } from './kit';

export const busBench: BenchModule = {
  name: 'bus',
  description: 'Kafka bus adapters: @platformatic/kafka vs kafkajs, publish rate and end-to-end latency on one broker',
  run,
};

const PAGE = 100;

interface Adapter {
  name: 'kafkajs' | 'platformatic';
  bus: IntegrationBus;
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  if (!ctx.kafkaBrokers) {
    ctx.log('skipped: needs KAFKA_BROKERS (bash deploy/local/kafka.sh up)');
    return [];
  }
  const brokers = ctx.kafkaBrokers.split(',');
  const runId = randomUUID().slice(0, 8);
  const registry = testRegistry();
  const common = { brokers, partitions: 6, maxWaitTimeInMs: 100, dlqPrefix: `crm.bench-dlq.${runId}.` };
  const adapters: Adapter[] = [
    {
      name: 'kafkajs',
      bus: new KafkaBus(registry, { ...common, clientId: 'crm-bench-kafkajs', topic: `crm.bench.${runId}.kafkajs`, logLevel: logLevel.NOTHING }),
    },
    {
      name: 'platformatic',
      bus: new PlatformaticKafkaBus(registry, { ...common, clientId: 'crm-bench-platformatic', topic: `crm.bench.${runId}.platformatic` }),
    },
  ];
  const figures: Figure[] = [];
  try {
    // Publish rate: pages of 100 events over 50 subjects (a page of the relay).
    const subjects = Array.from({ length: 50 }, () => randomUUID());
    const page = (i: number): IntegrationEvent[] => Array.from({ length: PAGE }, (_, k) => testIntegrationEvent(subjects[k % subjects.length], i * PAGE + k));
    const [kafkajs, platformatic] = await interleaved(
      { name: 'kafkajs', op: (i) => adapters[0].bus.publish(page(i)) },
      { name: 'platformatic', op: (i) => adapters[1].bus.publish(page(i)) },
      ctx.quick ? { rounds: 4, perRound: 10, warmup: 3 } : { rounds: 10, perRound: 30, warmup: 10 },
    );
    figures.push(
      ctx.report({
        name: 'bus.publish.platformatic',
        unit: 'events/s',
        value: round(platformatic.opsPerSecond * PAGE),
        baseline: { name: 'bus.publish.kafkajs', value: round(kafkajs.opsPerSecond * PAGE) },
        details: { pageSize: PAGE, kafkajs, platformatic },
      }),
    );

    // End-to-end latency: one event in flight at a time, the adapters alternating.
    const samples = ctx.quick ? 60 : 300;
    const latencies = new Map<string, number[]>(adapters.map((a) => [a.name, []]));
    const waiting = new Map<string, () => void>();
    const subscriptions = await Promise.all(
      adapters.map((a) =>
        a.bus.subscribe({
          group: `crm.bench.${runId}.${a.name}`,
          fromBeginning: false,
          dedupe: false,
          handler: async (event) => waiting.get(event.id)?.(),
        }),
      ),
    );
    try {
      // The groups join asynchronously and start at the end of the topic: events until one comes
      // through, unmeasured (one published before the assignment is never delivered).
      for (const a of adapters) {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const ok = await roundTrip(a, waiting, 2000).then(
            () => true,
            (error: unknown) => {
              if (Date.now() > deadline) throw error;
              return false;
            },
          );
          if (ok) break;
        }
      }
      for (let i = 0; i < samples; i++) {
        for (const a of i % 2 === 0 ? adapters : [...adapters].reverse()) latencies.get(a.name)!.push(await roundTrip(a, waiting, 30_000));
      }
    } finally {
      await Promise.all(subscriptions.map((s) => s.stop()));
    }
    const sorted = (name: string) => [...latencies.get(name)!].sort((x, y) => x - y);
    const k = sorted('kafkajs');
    const p = sorted('platformatic');
    for (const q of [0.5, 0.99] as const) {
      const label = q === 0.5 ? 'p50' : 'p99';
      figures.push(
        ctx.report({
          name: `bus.e2e-latency.${label}.platformatic`,
          unit: 'ms',
          value: round(percentile(p, q)),
          baseline: { name: `bus.e2e-latency.${label}.kafkajs`, value: round(percentile(k, q)) },
          details: { samples },
        }),
      );
    }
  } finally {
    await Promise.all(adapters.map((a) => a.bus.close()));
    const admin = new Admin({ clientId: 'crm-bench-cleanup', bootstrapBrokers: brokers });
    try {
      const names = (await admin.listTopics()).filter((t) => t.includes(runId));
      if (names.length) await admin.deleteTopics({ topics: names }).catch(() => undefined);
    } finally {
      await admin.close();
    }
  }
  return figures;
}

/** Publishes one event and resolves with the milliseconds until the adapter's handler saw it. */
async function roundTrip(adapter: Adapter, waiting: Map<string, () => void>, timeoutMs: number): Promise<number> {
  const event = testIntegrationEvent(randomUUID());
  let timer: NodeJS.Timeout | undefined;
  const seen = new Promise<void>((resolve, reject) => {
    waiting.set(event.id, resolve);
    timer = setTimeout(() => reject(new Error(`${adapter.name}: event not delivered within ${timeoutMs} ms`)), timeoutMs);
  });
  const t0 = performance.now();
  try {
    await adapter.bus.publish([event]);
    await seen;
    return performance.now() - t0;
  } finally {
    clearTimeout(timer);
    waiting.delete(event.id);
  }
}
