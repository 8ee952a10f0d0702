import type { EventStore, NewEvent } from '@crm/event-store';
import { CHANNELS, EPISODE_TYPES } from '@crm/kernel';
import type { ParkedReasonClass } from '@crm/parked-events';
import { Counter, Histogram, Registry } from 'prom-client';

/** Which adapter an append went to: the `store` label. */
export type StoreKind = 'pglite' | 'postgres' | 'eventstoredb';

/** What a projection runner reports after each committed transaction (see `ProjectionRunnerOptions.metrics`). */
export interface ProjectionMetricsHooks {
  applied(projection: string, events: number): void;
  parked(projection: string, reason: ParkedReasonClass, events: number): void;
}

/**
 * The metrics of one platform — one per process, whatever the number of service apps on it (the
 * embedded host runs five on one platform). They live in a registry of their own, without default
 * process metrics, that every app of the process appends to its `GET /metrics` (`ServiceMetrics`):
 * a metric is registered once per process, so five apps never register the same name twice.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly appendDuration = new Histogram({
    name: 'crm_event_store_append_duration_seconds',
    help: 'Event store appends (one call of appendToStream, refused ones included) in seconds, by adapter',
    labelNames: ['store'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly appendedEvents = new Counter({
    name: 'crm_event_store_appended_events_total',
    help: 'Events written to the event store (idempotent re-appends that wrote nothing are not counted), by adapter',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });
  readonly episodesOpened = new Counter({
    name: 'crm_episodes_opened_total',
    help: 'Episodes opened (EpisodeOpened events stored), by episode type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly interactionsRecorded = new Counter({
    name: 'crm_interactions_recorded_total',
    help: 'Interactions recorded (InteractionRecorded events stored), by channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly projectionEventsApplied = new Counter({
    name: 'crm_projection_events_applied_total',
    help: 'Events applied to read models (committed), by projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'crm_dead_letters_total',
    help: 'Events a projection parked instead of applying, by projection and reason (contract: breaks its contract; waiting: behind a parked event of its subject; apply-failed: the projection failed on it)',
    labelNames: ['projection', 'reason'] as const,
    registers: [this.registry],
  });

  /** For `ProjectionRunnerOptions.metrics`. */
  readonly projectionHooks: ProjectionMetricsHooks = {
    applied: (projection, events) => {
      if (events > 0) this.projectionEventsApplied.inc({ projection }, events);
    },
    parked: (projection, reason, events) => {
      if (events > 0) this.deadLetters.inc({ projection, reason }, events);
    },
  };

  /**
   * Business counters from what was stored: every writer (HTTP command, scheduler, import, partner
   * portal) counts once per stored event, and a retried command whose append was a no-op not at all.
   */
  countStored(events: readonly NewEvent[]): void {
    for (const event of events) {
      if (event.type === 'EpisodeOpened') {
        this.episodesOpened.inc({ type: bounded((event.data as { episodeType?: unknown })?.episodeType, EPISODE_TYPES) });
      } else if (event.type === 'InteractionRecorded') {
        this.interactionsRecorded.inc({ channel: bounded((event.data as { interaction?: { channel?: unknown } })?.interaction?.channel, CHANNELS) });
      }
    }
  }
}

/** The value when it is one of the vocabulary's, else `other`: label values stay a known, small set. */
function bounded(value: unknown, allowed: readonly string[]): string {
  return typeof value === 'string' && allowed.includes(value) ? value : 'other';
}

/**
 * The same store, with every append timed and the stored events counted. Wraps the adapter itself,
 * so every writer of the process (services, tools) is measured, whichever adapter runs.
 */
export function measuredEventStore(store: EventStore, metrics: PlatformMetrics, kind: StoreKind): EventStore {
  const labels = { store: kind };
  return {
    async appendToStream(streamId, events, options) {
      const end = metrics.appendDuration.startTimer(labels);
      try {
        const result = await store.appendToStream(streamId, events, options);
        if (result.appended) {
          metrics.appendedEvents.inc(labels, events.length);
          metrics.countStored(events);
        }
        return result;
      } finally {
        end();
      }
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
