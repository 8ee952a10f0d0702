import { InvalidIntegrationEventError, type IntegrationBus, type IntegrationEvent, type IntegrationEventRegistry } from '@crm/bus';
import { countEventsAfter, formatPosition, type EventStore, type GlobalPosition, type RecordedEvent, type Subscription } from '@crm/event-store';
import { blockKey, CONTRACT_REASON_PREFIX, ParkedEvents, parkedReasonClass, WAITING_REASON_PREFIX, type NewParkedEvent } from '@crm/parked-events';
import type { SqlClient } from '@crm/sql';
import type { CheckpointStore } from '@crm/checkpoints';
import { carriedBy, endSpan, startSpan } from '@crm/telemetry';
import { toIntegrationEvent } from './integration-mapping';
import { RELAY_LAG_CAP, type RelayMetrics } from './relay-metrics';

/** The consumer name the relay files its parked events under. */
export const RELAY_CONSUMER = 'relay';

export interface RelayOptions {
  /** Checkpoint name; one relay per name may run at a time. */
  name?: string;
  batchSize?: number;
  mapping?: (event: RecordedEvent) => IntegrationEvent | undefined;
  /**
   * Where events that break their contract are parked (the platform database and schema). Without
   * it they are only reported through `onRejected` and skipped.
   */
  parking?: { sql: SqlClient; schema?: string };
  /** Called for each event the relay does not publish (breaks its contract, or waits behind one that does). */
  onRejected?: (event: RecordedEvent, reason: string) => void;
  /** Called when publishing or checkpointing fails; the relay retries with backoff meanwhile. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Counts published, parked and failed publications (the relay process's `GET /metrics`). */
  metrics?: RelayMetrics;
  /** Backoff while the bus or the database is unavailable (default 200 ms doubling to 10 s). */
  retry?: { initialBackoffMs?: number; maxBackoffMs?: number };
  /**
   * Which of several relays of one store publishes (docs/operations.md "Relay lease"): the relay
   * publishes only while `hold()` is true, asked before it starts and before every page, and
   * released on stop. Without it the relay assumes it is the only one (embedded, tests).
   */
  lease?: RelayLease;
  /** How often a standby relay asks for the lease (default 1000 ms). */
  standbyPollMs?: number;
}

/** A lease such as `ProcessLease` of @crm/platform (a PostgreSQL advisory lock). */
export interface RelayLease {
  /** True while this relay holds the lease (taking it if free); false while another one does or the lease's session died. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

/** `standby`: another relay holds the lease; this one waits to take over (unready, alive). */
export type RelayState = 'stopped' | 'starting' | 'standby' | 'catching-up' | 'live' | 'retrying';

/** Thrown inside a page when the lease is gone: the relay stops publishing at once and goes back to standby. */
class LeaseLostError extends Error {
  constructor() {
    super('the relay lease is held by another relay');
  }
}

export interface RelayHealth {
  state: RelayState;
  /** The last position published and checkpointed. */
  checkpoint?: string;
  lastPublishedAt?: string;
  lastError?: string;
  /** Failed attempts in a row (0 when healthy). */
  failures: number;
}

/**
 * The only writer to the bus. It follows the event store's global order from its checkpoint
 * (woken by the store as soon as something is appended), publishes a page, waits for the bus to
 * acknowledge it, and only then moves the checkpoint — so a crash at any point re-publishes
 * (at-least-once; consumers dedupe by event id) and never skips.
 *
 * It never gives up: a bus or database that is unavailable is retried with backoff for as long as it
 * takes (the relay reports itself unready meanwhile) and it resumes from its checkpoint. A stored
 * event that breaks its published contract is parked with the reason instead of blocking every
 * later event; later events of the same subject are parked behind it, so consumers always see a
 * subject's events in order. An operator re-drives them after a fix (`redrive`).
 */
export class Relay {
  readonly name: string;
  private readonly parked?: ParkedEvents;
  private stopped = true;
  private running?: Promise<void>;
  private subscription?: Subscription;
  private wakeBackoff?: () => void;
  private health_: RelayHealth = { state: 'stopped', failures: 0 };

  constructor(
    private readonly store: EventStore,
    private readonly bus: IntegrationBus,
    private readonly checkpoints: CheckpointStore,
    private readonly registry: IntegrationEventRegistry,
    private readonly options: RelayOptions = {},
  ) {
    this.name = options.name ?? 'relay';
    if (options.parking) this.parked = new ParkedEvents(options.parking.schema);
  }

  /** Creates the parked-events table (when parking is configured). */
  async migrate(): Promise<void> {
    if (this.parked && this.options.parking) await this.parked.migrate(this.options.parking.sql);
  }

  health(): RelayHealth {
    return { ...this.health_ };
  }

  /**
   * Events of the store not yet published: those after the durable checkpoint (what a restart would
   * publish), counted up to `cap` — positions cannot be subtracted, see `countEventsAfter`.
   */
  async lag(cap = RELAY_LAG_CAP): Promise<number> {
    return countEventsAfter(this.store, await this.checkpoints.load(this.name), cap);
  }

  /** Starts following the store; returns at once. */
  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.health_ = { ...this.health_, state: 'starting' };
    this.running = this.loop();
  }

  /** Stops after the page being published (its checkpoint saved), then gives the lease back so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeBackoff?.();
    await this.subscription?.stop();
    await this.running;
    this.running = undefined;
    await this.options.lease?.release();
    this.health_ = { ...this.health_, state: 'stopped' };
  }

  /** Publishes everything committed so far, then returns (tests, CLIs). Throws on failure. */
  async drain(): Promise<void> {
    let after = await this.checkpoints.load(this.name);
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: this.options.batchSize ?? 500 });
      if (page.length === 0) return;
      await this.publishPage(page);
      after = page[page.length - 1].position;
    }
  }

  /** (Re)subscribes from the durable checkpoint until stopped; a subscription that dies is restarted after a backoff. */
  private async loop(): Promise<void> {
    for (let attempt = 1; !this.stopped;) {
      let ended: unknown;
      try {
        if (!(await this.acquire())) return;
        const after = await this.checkpoints.load(this.name);
        if (this.stopped) return;
        this.health_ = { ...this.health_, state: 'catching-up', checkpoint: after ? formatPosition(after) : undefined };
        const subscription = this.store.subscribeToAll({
          after,
          batchSize: this.options.batchSize ?? 500,
          onCaughtUp: () => {
            if (this.health_.state === 'catching-up') this.health_ = { ...this.health_, state: 'live' };
          },
          onBatch: (page) => this.untilPublished(page),
          onError: (error) => (ended = error),
        });
        this.subscription = subscription;
        await subscription.done;
        if (this.stopped) return;
        throw ended ?? new Error('the event store subscription ended');
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof LeaseLostError) {
          // Not a failure: another relay publishes now. Wait for the lease again, from the checkpoint.
          this.health_ = { ...this.health_, state: 'standby', failures: 0 };
          continue;
        }
        this.failed(error, attempt++);
        await this.backoff(attempt);
      }
    }
  }

  /** Waits (standby) until this relay holds the lease; false when stopped meanwhile. */
  private async acquire(): Promise<boolean> {
    const lease = this.options.lease;
    if (!lease) return true;
    while (!this.stopped) {
      if (await lease.hold()) return true;
      if (this.health_.state !== 'standby') this.health_ = { ...this.health_, state: 'standby', failures: 0 };
      await this.pause(this.options.standbyPollMs ?? 1000);
    }
    return false;
  }

  /** Fencing: before each page (and before its checkpoint) the lease must still be this relay's. */
  private async fence(): Promise<void> {
    if (this.options.lease && !(await this.options.lease.hold())) throw new LeaseLostError();
  }

  /** Publishes one page, retrying while the bus or the database is unavailable. */
  private async untilPublished(page: RecordedEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Error('relay stopped');
      try {
        await this.fence();
        await this.publishPage(page);
        const state = this.health_.state === 'retrying' ? 'live' : this.health_.state;
        this.health_ = { state, checkpoint: formatPosition(page[page.length - 1].position), lastPublishedAt: new Date().toISOString(), failures: 0 };
        return;
      } catch (error) {
        if (this.stopped || error instanceof LeaseLostError) throw error;
        this.options.metrics?.publishFailures.inc();
        this.failed(error, attempt);
        await this.backoff(attempt);
      }
    }
  }

  private failed(error: unknown, attempt: number): void {
    this.health_ = { ...this.health_, state: 'retrying', lastError: error instanceof Error ? error.message : String(error), failures: attempt };
    this.options.onRetry?.(error, attempt);
  }

  private backoff(attempt: number): Promise<void> {
    const initial = this.options.retry?.initialBackoffMs ?? 200;
    const max = this.options.retry?.maxBackoffMs ?? 10000;
    return this.pause(Math.min(max, initial * 2 ** Math.min(attempt - 1, 20)));
  }

  /** A wait that `stop()` cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wakeBackoff = undefined));
  }

  /**
   * Publishes a batch with a producer span per event, child of the trace the event was appended in
   * (its metadata's `traceparent`, already in the envelope); the envelope then carries the publish
   * span's context, so the consumer's span follows it. Without tracing the spans are no-ops and the
   * envelope keeps the appending request's trace context (issue 15 §1).
   */
  private async publishTraced(batch: readonly IntegrationEvent[]): Promise<void> {
    const spans = batch.map((event) =>
      startSpan(`relay publish ${event.type}`, {
        kind: 'producer',
        parent: event,
        attributes: {
          'messaging.operation.type': 'send',
          'messaging.message.id': event.id,
          'cloudevents.event_type': event.type,
          'cloudevents.event_subject': event.subject,
        },
      }),
    );
    const traced = batch.map((event, i) => ({ ...event, ...carriedBy(spans[i], event) }));
    try {
      await this.bus.publish(traced);
    } catch (error) {
      for (const span of spans) endSpan(span, error);
      throw error;
    }
    for (const span of spans) endSpan(span);
  }

  /** Publishes a page's integration events, parks what cannot be published, then moves the checkpoint. */
  private async publishPage(page: readonly RecordedEvent[]): Promise<GlobalPosition> {
    const mapping = this.options.mapping ?? toIntegrationEvent;
    const candidates: { stored: RecordedEvent; event: IntegrationEvent }[] = [];
    for (const stored of page) {
      const event = mapping(stored);
      // Events about no customer, or not registered as integration events, are private to their service.
      if (event && this.registry.has(event.type, event.schemaversion)) candidates.push({ stored, event });
    }
    const blocked =
      this.parked && candidates.length
        ? await this.parked.blocked(
            this.options.parking!.sql,
            [RELAY_CONSUMER],
            candidates.map((c) => c.event.subject),
          )
        : new Set<string>();
    const batch: IntegrationEvent[] = [];
    const parks: NewParkedEvent[] = [];
    for (const { stored, event } of candidates) {
      const key = blockKey(RELAY_CONSUMER, event.subject);
      let reason: string | undefined;
      if (blocked.has(key)) reason = `${WAITING_REASON_PREFIX} of subject ${event.subject}`;
      else {
        try {
          batch.push(this.registry.validate(event));
        } catch (error) {
          if (!(error instanceof InvalidIntegrationEventError)) throw error;
          reason = `${CONTRACT_REASON_PREFIX}: ${error.reason}`;
          if (this.parked) blocked.add(key);
        }
      }
      if (reason) {
        this.options.onRejected?.(stored, reason);
        parks.push({
          consumer: RELAY_CONSUMER,
          eventId: event.id,
          subject: event.subject,
          eventType: event.type,
          position: formatPosition(stored.position),
          reason,
          event: JSON.stringify(event),
        });
      }
    }
    if (batch.length) await this.publishTraced(batch);
    const last = page[page.length - 1].position;
    // A relay that lost the lease while publishing leaves the checkpoint to the one that holds it now.
    await this.fence();
    const sql = this.options.parking?.sql;
    if (this.parked && sql && parks.length) {
      // The parked events and the checkpoint that moves past them, together.
      await sql.transaction(async (tx) => {
        await this.parked!.park(tx, parks);
        await this.checkpoints.save(this.name, last, tx);
      });
    } else {
      await this.checkpoints.save(this.name, last);
    }
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.published.inc(batch.length);
      for (const park of parks) metrics.parked.inc({ reason: parkedReasonClass(park.reason) });
    }
    return last;
  }

  /**
   * Publishes parked events again after a fix (a corrected contract or upcaster): per subject,
   * oldest first; the first that still breaks its contract stays parked, and so do the later ones
   * of its subject. `discard` resolves them without publishing.
   */
  async redrive(options: { eventIds?: readonly string[]; discard?: boolean } = {}): Promise<{ published: number; discarded: number; stillParked: number }> {
    const { parked } = this;
    const sql = this.options.parking?.sql;
    if (!parked || !sql) throw new Error('the relay parks nothing without options.parking');
    const result = { published: 0, discarded: 0, stillParked: 0 };
    const failed = new Set<string>();
    for (const row of await parked.open(sql, [RELAY_CONSUMER], { eventIds: options.eventIds })) {
      if (options.discard) {
        await parked.resolve(sql, RELAY_CONSUMER, row.eventId, 'discarded');
        result.discarded++;
        continue;
      }
      if (failed.has(row.subject)) {
        result.stillParked++;
        continue;
      }
      try {
        await this.bus.publish([this.registry.validate(JSON.parse(row.event))]);
        await parked.resolve(sql, RELAY_CONSUMER, row.eventId, 'applied');
        result.published++;
      } catch (error) {
        if (!(error instanceof InvalidIntegrationEventError)) throw error;
        await parked.failedAgain(sql, RELAY_CONSUMER, row.eventId, `${CONTRACT_REASON_PREFIX}: ${error.reason}`);
        failed.add(row.subject);
        result.stillParked++;
      }
    }
    return result;
  }
}
