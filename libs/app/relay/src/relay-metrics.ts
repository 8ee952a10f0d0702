import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Relay lag is counted by reading the events after the checkpoint: at most this many per look. */
export const RELAY_LAG_CAP = 10_000;

/**
 * The relay's Prometheus metrics (its process serves them on `GET /metrics`, beside the platform's).
 * Pass it to the relay (`RelayOptions.metrics`) to count, and a `lag` function (usually
 * `() => relay.lag()`) to measure the lag at scrape time.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly published = new Counter({
    name: 'crm_relay_published_events_total',
    help: 'Integration events the relay published and checkpointed (re-publications after a crash count again)',
    registers: [this.registry],
  });
  readonly parked = new Counter({
    name: 'crm_relay_parked_events_total',
    help: 'Stored events the relay parked instead of publishing, by reason (contract: breaks its contract; waiting: behind a parked event of its subject)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly publishFailures = new Counter({
    name: 'crm_relay_publish_failures_total',
    help: 'Failed attempts to publish a page or move the checkpoint (each is retried with backoff)',
    registers: [this.registry],
  });

  constructor(options: { lag?: () => Promise<number>; service?: string; processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service: options.service ?? 'relay' });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'crm_' });
    const lag = options.lag;
    if (lag)
      new Gauge({
        name: 'crm_relay_lag_events',
        help: `Events of the store not yet published: store head − the relay's durable checkpoint, in events (counted up to ${RELAY_LAG_CAP})`,
        registers: [this.registry],
        async collect() {
          // A store that does not answer: NaN (unknown) rather than a failed scrape or a false 0.
          this.set(await lag().catch(() => NaN));
        },
      });
  }
}
