import { InvalidIntegrationEventError, type BusSubscription, type IntegrationBus, type IntegrationEvent, type IntegrationEventRegistry } from '@crm/bus';
import { SqlCheckpointStore, type CheckpointAdvance } from '@crm/checkpoints';
import { comparePositions, formatPosition, parsePosition, type EventStore, type GlobalPosition, type RecordedEvent, type Subscription } from '@crm/event-store';
import { assertIdentifier } from '@crm/sql';
import type { DataSource, EntityManager } from 'typeorm';
import {
  blockKey,
  CONTRACT_REASON_PREFIX,
  ParkedEvents,
  parkedReasonClass,
  rows,
  WAITING_REASON_PREFIX,
  type NewParkedEvent,
  type ParkedReasonClass,
  type Queryable,
  type Staleness,
} from '@crm/parked-events';
import { PersonalData, PersonalDataKeys } from '@crm/personal-data';
import { endSpan, inConsumedEventContext, startSpan, type Span } from '@crm/telemetry';
import type { Projection } from './projection';
import { isTransientError } from './transient-errors';
import { typeormExecutor } from './typeorm-sql-executor';

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored' | 'parked';

/** Turns a stored event into the integration event projections apply (undefined: not one). */
export type EventMapping = (e: RecordedEvent) => IntegrationEvent | undefined;

export interface ProjectionRunnerOptions {
  /** Schema of the runner's bookkeeping tables (checkpoints, dedupe, parked events); default `platform`. */
  schema?: string;
  /**
   * The runner's name: its consumer group on the bus. Default `projection.<name>` for a single
   * projection; a runner of several projections needs one (e.g. `read-models.sales`).
   */
  group?: string;
  /** Events per transaction when following the store (default 500) and when rebuilding (default 2000). */
  batchSize?: number;
  rebuildBatchSize?: number;
  /** Backoff while the database is unavailable (default 100 ms doubling to 5 s). */
  retry?: { initialBackoffMs?: number; maxBackoffMs?: number };
  /**
   * Told what each committed transaction applied and parked (metrics: `PlatformMetrics.projectionHooks`).
   * Called after the commit, so a rolled-back batch is never counted.
   */
  metrics?: ProjectionRunnerMetrics;
  /**
   * Told, after the commit, which events each projection applied: what a reader of the read model
   * can see from now on (live updates push a change once the page's next read shows it). Never for
   * a rolled-back batch, nor for parked events. A listener that throws is ignored.
   */
  onApplied?: (projection: string, events: readonly IntegrationEvent[]) => void;
  /** Where the runner reports parked events and retried failures (default console). */
  logger?: { warn(message: string): void; error(message: string, error?: unknown): void };
}

export type { ParkedReasonClass } from '@crm/parked-events';

export interface ProjectionRunnerMetrics {
  applied(projection: string, events: number): void;
  parked(projection: string, reason: ParkedReasonClass, events: number): void;
}

/** What one transaction applied and parked, reported once it committed. */
interface Tally {
  applied: Map<string, number>;
  parked: NewParkedEvent[];
  /** The events each projection applied (as delivered, personal fields still sealed). */
  events?: Map<string, IntegrationEvent[]>;
}

export type RunnerState = 'stopped' | 'starting' | 'catching-up' | 'live' | 'retrying';

export interface RunnerHealth {
  group: string;
  state: RunnerState;
  /** Open parked events per projection. */
  parked: Record<string, number>;
  lastError?: string;
}

export interface ProjectionStatus {
  eventsApplied: number;
  lastPosition: string | null;
  parked: number;
}

/** An event offered to the projections: valid, or with the reason it breaks its contract. */
interface Offered {
  event: IntegrationEvent;
  position?: GlobalPosition;
  invalid?: string;
}

type Mode = 'bus' | 'store';

/**
 * Applies integration events to TypeORM read models — one or several projections fed by one
 * source: the bus as one consumer group, or the event store directly (embedded mode, rebuilds).
 *
 * Guarantees, and why they hold:
 * - Exactly-once effect. A batch of events is applied in ONE transaction together with its
 *   bookkeeping: from the store, each projection's checkpoint (the global position) — a restart
 *   resumes after it and skips nothing it already applied; from the bus, a dedupe record per
 *   (projection, event id) claimed in the same transaction, plus the position a rebuild reached
 *   (anything at or before it was applied by the rebuild). Checkpoints are rows of the database's
 *   one checkpoint table (`@crm/checkpoints`, shared with the relay), written through the
 *   transaction's own connection.
 * - No poison event stops a read model. When a batch fails for a reason other than the database
 *   being unavailable, its events are applied one by one (one transaction each), and the one that
 *   fails is parked with its reason (`parked_events`) instead of stopping the runner. So are events
 *   that break their contract. Later events of the same subject are parked behind it, so a
 *   subject's events are applied in order once an operator re-drives them (`redrive`); the subject
 *   is reported stale meanwhile.
 * - A database outage is not poison: the batch is retried with backoff for as long as it takes.
 */
export class ProjectionRunner {
  readonly projections: readonly Projection[];
  readonly group: string;
  readonly parkedEvents: ParkedEvents;
  /** The projections' checkpoints, counters and rebuild floors: rows of the shared checkpoint table. */
  readonly checkpoints: SqlCheckpointStore;
  private readonly dedupeTable: string;
  /** Reveals personal fields (sealed in the store and on the bus) right before they are applied. */
  private readonly personalData: PersonalData;
  private readonly handles: Map<string, ReadonlySet<string>>;
  /** The handling span of each event of the batch being applied (bus mode). */
  private readonly eventSpans = new WeakMap<IntegrationEvent, Span>();
  /** Per projection: events at or before this position are already applied (checkpoint or rebuild floor). */
  private floors = new Map<string, GlobalPosition | undefined>();
  private busSubscription?: BusSubscription;
  private storeSubscription?: Subscription;
  private state: RunnerState = 'stopped';
  private lastError?: string;
  private stopping = false;
  private readonly logger: NonNullable<ProjectionRunnerOptions['logger']>;

  constructor(
    private readonly dataSource: DataSource,
    projections: Projection | readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.projections = Array.isArray(projections) ? [...(projections as readonly Projection[])] : [projections as Projection];
    if (this.projections.length === 0) throw new Error('a projection runner needs at least one projection');
    const names = this.projections.map((p) => p.name);
    if (new Set(names).size !== names.length) throw new Error(`projection names must be unique: ${names.join(', ')}`);
    if (this.projections.length > 1 && !options.group) throw new Error('a runner of several projections needs a group name');
    this.group = options.group ?? `projection.${this.projections[0].name}`;
    const schema = assertIdentifier(options.schema ?? 'platform');
    this.dedupeTable = `${schema}.projection_dedupe`;
    this.checkpoints = new SqlCheckpointStore(typeormExecutor(dataSource), schema);
    this.parkedEvents = new ParkedEvents(schema);
    this.personalData = new PersonalData(new PersonalDataKeys(schema));
    this.handles = new Map(this.projections.map((p) => [p.name, new Set(p.handles)]));
    this.logger = options.logger ?? { warn: (m) => console.warn(m), error: (m, e) => console.error(m, e ?? '') };
  }

  /** The single projection of a one-projection runner. */
  get projection(): Projection {
    return this.projections[0];
  }

  /** Creates the bookkeeping tables (idempotent, safe from several processes); read model tables come from the data source. */
  async migrate(): Promise<void> {
    const schema = this.dedupeTable.split('.')[0];
    await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(7201003)');
      await m.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await m.query(`CREATE TABLE IF NOT EXISTS ${this.dedupeTable} (
        projection text NOT NULL,
        event_id uuid NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, event_id)
      )`);
      // Also moves the rows of the runner's former own table (projection_checkpoints) into it.
      await this.checkpoints.migrate(typeormExecutor(m));
      for (const statement of this.parkedEvents.ddl()) await m.query(statement);
      await this.personalData.keys.migrate(m);
    });
  }

  // ---- applying -------------------------------------------------------------------------------

  /**
   * Applies a batch as the bus delivers one: in one transaction, each event once per projection
   * whatever the number of deliveries, what fails parked. `start(bus)` hands it every batch; the
   * projection specifications (`@crm/projections/testing`) call it directly, to test a projection
   * the way it runs.
   */
  async applyBatch(events: readonly IntegrationEvent[]): Promise<void> {
    // A span per handled event, child of the trace its envelope carries (issue 15 §1); no-ops unless tracing is on.
    const spans = events.map((event) => {
      const span = startSpan(`${this.group} process ${event.type}`, {
        kind: 'consumer',
        parent: event,
        attributes: {
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': this.group,
          'messaging.message.id': event.id,
          'cloudevents.event_type': event.type,
        },
      });
      this.eventSpans.set(event, span);
      return span;
    });
    try {
      await this.applyOffered(
        events.map((event) => ({ event, position: positionOf(event) })),
        'bus',
      );
      for (const span of spans) endSpan(span);
    } catch (error) {
      for (const span of spans) endSpan(span, error);
      throw error;
    }
  }

  /** Applies one event exactly once per projection, whatever the number of deliveries (as from the bus). */
  async apply(event: IntegrationEvent): Promise<ApplyOutcome> {
    const interested = this.projections.filter((p) => this.handles.get(p.name)?.has(event.type));
    if (interested.length === 0) return 'ignored';
    const before = await this.countersFor(interested);
    await this.applyOffered([{ event, position: positionOf(event) }], 'bus');
    const after = await this.countersFor(interested);
    if (interested.some((p) => after.parked[p.name] > before.parked[p.name])) return 'parked';
    return interested.some((p) => after.applied[p.name] > before.applied[p.name]) ? 'applied' : 'duplicate';
  }

  private async countersFor(projections: readonly Projection[]): Promise<{ applied: Record<string, number>; parked: Record<string, number> }> {
    const names = projections.map((p) => p.name);
    const applied: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    for (const [name, checkpoint] of await this.checkpoints.read(names)) applied[name] = checkpoint.eventsApplied;
    return { applied, parked: await this.parkedEvents.countOpen(this.dataSource, names) };
  }

  /**
   * Applies a batch in one transaction; if that fails for a reason other than an unavailable
   * database, applies the events one by one and parks the ones that fail. `pageEnd`: from the store,
   * the position every projection has now seen (its checkpoint moves there even when the page held
   * nothing it handles).
   */
  private async applyOffered(
    items: readonly Offered[],
    mode: Mode,
    projections: readonly Projection[] = this.projections,
    pageEnd?: GlobalPosition,
  ): Promise<void> {
    let floors: Map<string, GlobalPosition | undefined>;
    try {
      const tally: Tally = { applied: new Map(), parked: [] };
      floors = await this.dataSource.transaction((m) => this.applyInTransaction(m, items, mode, projections, pageEnd, tally));
      this.report(tally);
    } catch (error) {
      if (isTransientError(error)) throw error;
      floors = await this.applyOneByOne(items, mode, projections, pageEnd, error);
    }
    if (mode === 'store') for (const [name, floor] of floors) this.floors.set(name, floor);
  }

  private async applyInTransaction(
    m: EntityManager,
    offered: readonly Offered[],
    mode: Mode,
    projections: readonly Projection[],
    pageEnd: GlobalPosition | undefined,
    tally?: Tally,
  ): Promise<Map<string, GlobalPosition | undefined>> {
    // A relay that re-published after a crash can put the same event twice in one batch: the
    // dedupe claim would let both copies through (it returns the id once), so keep the first.
    const seen = new Set<string>();
    const items = mode === 'bus' ? offered.filter((i) => !seen.has(i.event.id) && seen.add(i.event.id)) : offered;
    // Which projection gets which event: those it handles, not yet applied.
    const work = new Map<Projection, Offered[]>();
    for (const p of projections) {
      const handles = this.handles.get(p.name)!;
      const floor = this.floors.get(p.name);
      work.set(
        p,
        items.filter((i) => handles.has(i.event.type) && !(floor && i.position && comparePositions(i.position, floor) <= 0)),
      );
    }
    if (mode === 'bus') await this.claim(m, work);

    const subjects = [...new Set([...work.values()].flat().map((i) => i.event.subject))];
    const blocked = await this.parkedEvents.blocked(
      m,
      projections.map((p) => p.name),
      subjects,
    );
    const parks: NewParkedEvent[] = [];
    const applied = new Map<string, number>();
    // One key lookup for the whole batch; parked events stay sealed.
    const plain = await this.revealed(
      m,
      [...work.values()].flat().map((i) => i.event),
    );
    for (const [p, list] of work) {
      const toApply: IntegrationEvent[] = [];
      const delivered = new Map<IntegrationEvent, IntegrationEvent>();
      for (const item of list) {
        const key = blockKey(p.name, item.event.subject);
        if (item.invalid) {
          parks.push(parkRecord(p.name, item, item.invalid));
          blocked.add(key);
        } else if (blocked.has(key)) {
          parks.push(parkRecord(p.name, item, `${WAITING_REASON_PREFIX} of subject ${item.event.subject}`));
        } else {
          const event = plain.get(item.event) ?? item.event;
          delivered.set(event, item.event);
          toApply.push(event);
        }
      }
      // Each event is handled in its own context (its correlation id and trace in the log lines and
      // in what it appends); a batch-applying projection in the context of its only event, if one.
      const inContext = <T>(event: IntegrationEvent, fn: () => Promise<T>) =>
        inConsumedEventContext(event, fn, this.eventSpans.get(delivered.get(event) ?? event));
      if (toApply.length > 0) {
        if (p.applyBatch) await (toApply.length === 1 ? inContext(toApply[0], () => p.applyBatch!(toApply, m)) : p.applyBatch(toApply, m));
        else for (const event of toApply) await inContext(event, () => p.apply(event, m));
      }
      applied.set(p.name, toApply.length);
      if (tally && toApply.length > 0)
        (tally.events ??= new Map()).set(
          p.name,
          toApply.map((e) => delivered.get(e) ?? e),
        );
    }
    await this.parkedEvents.park(m, parks);
    if (tally) {
      tally.applied = applied;
      tally.parked = parks;
    }
    return this.saveCheckpoints(m, work, applied, mode, pageEnd);
  }

  /** The event types any of `projections` handles. */
  private handledBy(projections: readonly Projection[]): Set<string> {
    return new Set(projections.flatMap((p) => [...this.handles.get(p.name)!]));
  }

  /** Tells `options.metrics` what a committed transaction applied and parked. */
  private report(tally: Tally): void {
    const onApplied = this.options.onApplied;
    if (onApplied)
      for (const [name, events] of tally.events ?? []) {
        try {
          onApplied(name, events);
        } catch (error) {
          this.logger.warn(`projections ${this.group}: a listener of applied events failed: ${describe(error)}`);
        }
      }
    const metrics = this.options.metrics;
    if (!metrics) return;
    for (const [name, n] of tally.applied) metrics.applied(name, n);
    for (const park of tally.parked) metrics.parked(park.consumer, parkedReasonClass(park.reason), 1);
  }

  /** Each event with its personal fields revealed (the same object when it has none sealed). */
  private async revealed(m: EntityManager, events: readonly IntegrationEvent[]): Promise<Map<IntegrationEvent, IntegrationEvent>> {
    const unique = [...new Set(events)];
    const plain = await this.personalData.reveal(m, unique);
    return new Map(unique.map((e, i) => [e, plain[i]]));
  }

  /** Bus mode: keeps only the events this transaction is the first to claim (per projection). */
  private async claim(m: EntityManager, work: Map<Projection, Offered[]>): Promise<void> {
    const names: string[] = [];
    const ids: string[] = [];
    for (const [p, list] of work) {
      for (const i of list) {
        names.push(p.name);
        ids.push(i.event.id);
      }
    }
    if (ids.length === 0) return;
    const claimed = rows<{ projection: string; event_id: string }>(
      await m.query(
        `INSERT INTO ${this.dedupeTable} (projection, event_id) SELECT * FROM unnest($1::text[], $2::uuid[])
         ON CONFLICT DO NOTHING RETURNING projection, event_id::text AS event_id`,
        [names, ids],
      ),
    );
    const keys = new Set(claimed.map((r) => `${r.projection}\u0000${r.event_id.toLowerCase()}`));
    for (const [p, list] of work)
      work.set(
        p,
        list.filter((i) => keys.has(`${p.name}\u0000${i.event.id.toLowerCase()}`)),
      );
  }

  /** Every projection's checkpoint row of this batch. */
  private async saveCheckpoints(
    m: EntityManager,
    work: Map<Projection, Offered[]>,
    applied: Map<string, number>,
    mode: Mode,
    pageEnd: GlobalPosition | undefined,
  ): Promise<Map<string, GlobalPosition | undefined>> {
    const floors = new Map<string, GlobalPosition | undefined>();
    const advances: CheckpointAdvance[] = [];
    for (const [p, list] of work) {
      const last = list[list.length - 1];
      const position = mode === 'store' ? (pageEnd ?? last?.position) : last?.position;
      if (!last && !(mode === 'store' && position)) continue;
      advances.push({ name: p.name, lastEventId: last?.event.id, position, applied: applied.get(p.name) ?? 0 });
      floors.set(p.name, position);
    }
    // One statement for every projection of the batch (in name order, so batches never deadlock),
    // in this transaction: the checkpoints commit with the read-model change or not at all.
    await this.checkpoints.advance(advances, typeormExecutor(m));
    return floors;
  }

  /** The slow path: each event and projection in its own transaction; what fails is parked. */
  private async applyOneByOne(
    items: readonly Offered[],
    mode: Mode,
    projections: readonly Projection[],
    pageEnd: GlobalPosition | undefined,
    batchError: unknown,
  ): Promise<Map<string, GlobalPosition | undefined>> {
    this.logger.warn(`projections ${this.group}: a batch of ${items.length} failed (${describe(batchError)}); applying its events one by one`);
    const floors = new Map<string, GlobalPosition | undefined>();
    for (const item of items) {
      for (const p of projections) {
        if (!this.handles.get(p.name)!.has(item.event.type)) continue;
        try {
          const tally: Tally = { applied: new Map(), parked: [] };
          const f = await this.dataSource.transaction((m) => this.applyInTransaction(m, [item], mode, [p], undefined, tally));
          this.report(tally);
          for (const [name, floor] of f) if (mode === 'store') this.floors.set(name, floor);
        } catch (error) {
          if (isTransientError(error)) throw error;
          const reason = `${p.name} failed to apply it: ${describe(error)}`;
          this.logger.warn(`projections ${this.group}: parked ${item.event.type} ${item.event.id} (subject ${item.event.subject}): ${reason}`);
          const parkedNow = await this.dataSource.transaction(async (m) => {
            const work = new Map([[p, [item]]]);
            if (mode === 'bus') await this.claim(m, work);
            if (work.get(p)!.length === 0) return [];
            const record = parkRecord(p.name, item, reason);
            await this.parkedEvents.park(m, [record]);
            const f = await this.saveCheckpoints(m, work, new Map(), mode, undefined);
            for (const [name, floor] of f) if (mode === 'store') this.floors.set(name, floor);
            return [record];
          });
          this.report({ applied: new Map(), parked: parkedNow });
        }
      }
    }
    if (mode === 'store' && pageEnd) {
      // Every projection has now seen the whole page, including events it does not handle.
      const f = await this.dataSource.transaction((m) => this.saveCheckpoints(m, new Map(projections.map((p) => [p, []])), new Map(), mode, pageEnd));
      for (const [name, floor] of f) floors.set(name, floor);
    }
    return floors;
  }

  // ---- sources --------------------------------------------------------------------------------

  /** Consumes the bus as one consumer group for all its projections, in batches. Resolves once subscribed. */
  async start(bus: IntegrationBus): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    await this.loadFloors('bus');
    this.busSubscription = await bus.subscribeBatch({
      group: this.group,
      retry: this.options.retry,
      onBatchError: (error, attempt) => this.failed(error, attempt),
      handleBatch: async (events) => {
        await this.applyBatch(events);
        this.recovered('live');
      },
    });
    if (this.state === 'starting') this.state = 'live';
  }

  /**
   * Follows the event store directly, from the checkpoints stored with the read models (the
   * embedded mode, where the in-process bus keeps nothing across restarts), one transaction per page.
   */
  startFromStore(store: EventStore, registry: IntegrationEventRegistry, mapping: EventMapping): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    return this.loadFloors('store').then(() => {
      const floors = this.projections.map((p) => this.floors.get(p.name));
      const after = floors.some((f) => !f) ? undefined : floors.reduce((a, b) => (comparePositions(a!, b!) <= 0 ? a : b));
      this.state = 'catching-up';
      const handled = this.handledBy(this.projections);
      this.storeSubscription = store.subscribeToAll({
        after,
        batchSize: this.options.batchSize ?? 500,
        onCaughtUp: () => {
          if (this.state === 'catching-up') this.state = 'live';
        },
        onBatch: async (page) => {
          const offered = offer(page, registry, mapping, handled);
          await this.untilApplied(() => this.applyOffered(offered, 'store', this.projections, page[page.length - 1].position));
        },
        onError: (error) => {
          this.state = 'stopped';
          this.lastError = describe(error);
          this.logger.error(`projections ${this.group}: following the event store stopped`, error);
        },
      });
    });
  }

  /** Retries `work` while the database is unavailable, until it succeeds or the runner stops. */
  private async untilApplied(work: () => Promise<void>): Promise<void> {
    const initial = this.options.retry?.initialBackoffMs ?? 100;
    const max = this.options.retry?.maxBackoffMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        this.recovered(this.state === 'retrying' ? 'live' : this.state);
        return;
      } catch (error) {
        if (this.stopping) throw error;
        this.failed(error, attempt);
        await new Promise((r) => setTimeout(r, Math.min(max, initial * 2 ** Math.min(attempt - 1, 20))));
      }
    }
  }

  private failed(error: unknown, attempt: number): void {
    this.state = 'retrying';
    this.lastError = describe(error);
    if (attempt === 1 || attempt % 10 === 0) this.logger.error(`projections ${this.group}: could not apply a batch (attempt ${attempt}); retrying`, error);
  }

  private recovered(state: RunnerState): void {
    this.state = state;
    this.lastError = undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.busSubscription?.stop();
    this.busSubscription = undefined;
    await this.storeSubscription?.stop();
    this.storeSubscription = undefined;
    this.state = 'stopped';
  }

  private async loadFloors(mode: Mode): Promise<void> {
    const found = await this.checkpoints.read(this.projections.map((p) => p.name));
    this.floors = new Map(this.projections.map((p) => [p.name, undefined]));
    for (const [name, checkpoint] of found) this.floors.set(name, mode === 'store' ? checkpoint.position : checkpoint.rebuiltThrough);
  }

  // ---- operations -----------------------------------------------------------------------------

  async status(name = this.projection.name): Promise<ProjectionStatus | undefined> {
    const checkpoint = (await this.checkpoints.read([name])).get(name);
    if (!checkpoint) return undefined;
    const parked = (await this.parkedEvents.countOpen(this.dataSource, [name]))[name] ?? 0;
    return { eventsApplied: checkpoint.eventsApplied, lastPosition: checkpoint.position ? formatPosition(checkpoint.position) : null, parked };
  }

  /** For readiness and metrics: the runner's state and its open parked events. */
  async health(): Promise<RunnerHealth> {
    const parked = await this.parkedEvents.countOpen(
      this.dataSource,
      this.projections.map((p) => p.name),
    );
    return { group: this.group, state: this.state, parked, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** Whether these projections are missing events of `subject` (parked here, or by the relay). */
  staleness(db: Queryable, subject: string, alsoConsumers: readonly string[] = []): Promise<Staleness | undefined> {
    return this.parkedEvents.staleness(db, [...this.projections.map((p) => p.name), ...alsoConsumers], subject);
  }

  /**
   * Rebuilds read models from position zero of the event store: empties their tables, dedupe
   * records, parked events and checkpoints in one transaction, then replays every event in pages
   * (one transaction each) through the same code as live delivery — a poison event is parked, not
   * fatal. Afterwards the bus consumer skips what the rebuild applied. Stop the live consumer first.
   * Returns the number of events applied (across the rebuilt projections).
   */
  async rebuild(
    store: EventStore,
    registry: IntegrationEventRegistry,
    mapping: EventMapping,
    options: { projections?: readonly string[]; deferIndexes?: boolean } = {},
  ): Promise<number> {
    const selected = this.projections.filter((p) => !options.projections || options.projections.includes(p.name));
    const names = selected.map((p) => p.name);
    // The tables start empty: indexes only reads use are created once at the end (issue 7).
    const deferred = options.deferIndexes === false ? [] : await this.deferredIndexes(selected);
    await this.empty(selected, deferred);
    const before = await this.countersFor(selected);
    try {
      await this.replay(store, registry, mapping, selected, deferred);
    } catch (error) {
      // A read model left half rebuilt still gets its indexes where the database allows it.
      await this.createIndexes(deferred).catch((e: unknown) =>
        this.logger.warn(`projections ${this.group}: could not create the deferred indexes again: ${describe(e)}`),
      );
      throw error;
    }
    await this.createIndexes(deferred);
    await this.checkpoints.markRebuilt(names);
    const counters = await this.countersFor(selected);
    return names.reduce((sum, n) => sum + counters.applied[n] - before.applied[n], 0);
  }

  /** Every event of the store, in pages, to `selected` (the tables just emptied). */
  private async replay(
    store: EventStore,
    registry: IntegrationEventRegistry,
    mapping: EventMapping,
    selected: readonly Projection[],
    deferred: readonly DeferredIndex[],
  ): Promise<void> {
    const pageSize = this.options.rebuildBatchSize ?? 2000;
    const handled = this.handledBy(selected);
    // A pipeline: while the database applies page N, this process reads and validates page N+1.
    const prepare = async (after?: GlobalPosition) => {
      const page = await store.readAll({ after, maxCount: pageSize });
      return page.length
        ? { offered: offer(page, registry, mapping, handled), end: page[page.length - 1].position, full: page.length === pageSize }
        : undefined;
    };
    let next = prepare();
    for (;;) {
      const current = await next;
      if (!current) break;
      next = current.full ? prepare(current.end) : Promise.resolve(undefined);
      next.catch(() => undefined); // awaited on the next turn; not an unhandled rejection meanwhile
      // An event whose apply reads by a deferred index: that index exists from this page on.
      const needed = deferred.filter((index) => !index.created && current.offered.some((o) => index.neededBy.has(o.event.type)));
      await this.createIndexes(needed);
      await this.applyOffered(current.offered, 'store', selected, current.end);
    }
  }

  /** The deferred indexes of `selected` that exist now, with the statement that creates each again. */
  private async deferredIndexes(selected: readonly Projection[]): Promise<DeferredIndex[]> {
    const found: DeferredIndex[] = [];
    for (const p of selected) {
      if (!p.rebuildDeferredIndexes?.indexes.length) continue;
      const neededBy = new Set<string>(p.rebuildDeferredIndexes.neededBy ?? []);
      for (const entity of p.entities) {
        const path = this.dataSource.getRepository(entity).metadata.tablePath.split('.');
        const [schema, table] = path.length === 2 ? path : [null, path[0]]; // no schema: the search path's
        const rows = (await this.dataSource.query(
          `SELECT schemaname, indexname, indexdef FROM pg_indexes
           WHERE schemaname = COALESCE($1, current_schema()) AND tablename = $2 AND indexname = ANY($3::text[]) ORDER BY indexname`,
          [schema, table, [...p.rebuildDeferredIndexes.indexes]],
        )) as { schemaname: string; indexname: string; indexdef: string }[];
        for (const r of rows) {
          // pg_indexes gives the exact definition (schema-qualified): created again as it was.
          found.push({
            drop: `DROP INDEX IF EXISTS ${quotePath(`${r.schemaname}.${r.indexname}`)}`,
            create: r.indexdef.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '),
            neededBy,
            created: false,
          });
        }
      }
    }
    return found;
  }

  private async createIndexes(indexes: readonly DeferredIndex[]): Promise<void> {
    for (const index of indexes) {
      await this.dataSource.query(index.create);
      index.created = true;
    }
  }

  /**
   * Empties read models as if they had never seen an event: their tables, dedupe records, parked
   * events and checkpoints, in one transaction (the first half of a rebuild). Stop the live consumer
   * first.
   */
  async reset(options: { projections?: readonly string[] } = {}): Promise<void> {
    await this.empty(this.projections.filter((p) => !options.projections || options.projections.includes(p.name)));
  }

  /** `reset`, dropping `indexes` in the same transaction (a rebuild's deferred ones). */
  private async empty(selected: readonly Projection[], indexes: readonly DeferredIndex[] = []): Promise<void> {
    const names = selected.map((p) => p.name);
    await this.dataSource.transaction(async (manager) => {
      // TRUNCATE, not DELETE: no dead rows for the replay's inserts and index builds to step over
      // (a DELETE left every row of the old read model to vacuum), and the same atomicity — it is
      // transactional, and its exclusive lock only waits for readers in flight.
      const tables = [...new Set(selected.flatMap((p) => p.entities.map((entity) => quotePath(manager.getRepository(entity).metadata.tablePath))))];
      if (tables.length > 0) await manager.query(`TRUNCATE ${tables.join(', ')}`);
      await manager.query(`DELETE FROM ${this.dedupeTable} WHERE projection = ANY($1::text[])`, [names]);
      await this.checkpoints.reset(names, typeormExecutor(manager));
      await this.parkedEvents.clear(manager, names);
      for (const index of indexes) await manager.query(index.drop);
    });
    for (const name of names) this.floors.set(name, undefined);
  }

  /**
   * Re-drives parked events after a fix: per subject, oldest first, each validated again and
   * applied in its own transaction; the first that fails again stays parked (with the new reason)
   * and so do the later ones of its subject. `discard` marks them resolved without applying them.
   */
  async redrive(
    registry: IntegrationEventRegistry,
    options: { eventIds?: readonly string[]; projections?: readonly string[]; discard?: boolean } = {},
  ): Promise<RedriveResult> {
    const selected = this.projections.filter((p) => !options.projections || options.projections.includes(p.name));
    const result: RedriveResult = { applied: 0, discarded: 0, stillParked: 0 };
    const parked = await this.parkedEvents.open(
      this.dataSource,
      selected.map((p) => p.name),
      { eventIds: options.eventIds },
    );
    const failedSubjects = new Set<string>();
    for (const row of parked) {
      const p = selected.find((x) => x.name === row.consumer)!;
      const key = blockKey(row.consumer, row.subject);
      if (options.discard) {
        await this.parkedEvents.resolve(this.dataSource, row.consumer, row.eventId, 'discarded');
        result.discarded++;
        continue;
      }
      if (failedSubjects.has(key)) {
        result.stillParked++;
        continue;
      }
      try {
        const event = registry.validate(JSON.parse(row.event));
        await this.dataSource.transaction(async (m) => {
          const plainEvent = (await this.revealed(m, [event])).get(event) ?? event;
          if (p.applyBatch) await p.applyBatch([plainEvent], m);
          else await p.apply(plainEvent, m);
          await this.parkedEvents.resolve(m, row.consumer, row.eventId, 'applied');
          // Counted with the change; the position stays (the event is behind it already).
          await this.checkpoints.advance([{ name: p.name, applied: 1 }], typeormExecutor(m));
        });
        result.applied++;
      } catch (error) {
        if (isTransientError(error)) throw error;
        const reason =
          error instanceof InvalidIntegrationEventError ? `${CONTRACT_REASON_PREFIX}: ${error.reason}` : `${p.name} failed to apply it: ${describe(error)}`;
        await this.parkedEvents.failedAgain(this.dataSource, row.consumer, row.eventId, reason);
        failedSubjects.add(key);
        result.stillParked++;
      }
    }
    return result;
  }
}

/** An index a full rebuild drops while it fills the emptied tables and creates again at the end. */
interface DeferredIndex {
  drop: string;
  create: string;
  /** Event types whose apply reads by it: it is created before the first page holding one. */
  neededBy: ReadonlySet<string>;
  created: boolean;
}

export interface RedriveResult {
  applied: number;
  discarded: number;
  /** Still parked: failed again, or behind one that did. */
  stillParked: number;
}

/** Maps and validates a page of stored events; what breaks its contract is offered with the reason. */
function offer(page: readonly RecordedEvent[], registry: IntegrationEventRegistry, mapping: EventMapping, handled: ReadonlySet<string>): Offered[] {
  const offered: Offered[] = [];
  for (const stored of page) {
    const event = mapping(stored);
    // An event no projection here handles is skipped by every one of them (valid or not): it is not
    // worth its contract check — most of a store, for a rebuild of a few read models.
    if (!event || !handled.has(event.type) || !registry.has(event.type, event.schemaversion)) continue;
    try {
      offered.push({ event: registry.validate(event), position: stored.position });
    } catch (error) {
      if (!(error instanceof InvalidIntegrationEventError)) throw error;
      offered.push({ event, position: stored.position, invalid: `${CONTRACT_REASON_PREFIX}: ${error.reason}` });
    }
  }
  return offered;
}

function parkRecord(consumer: string, item: Offered, reason: string): NewParkedEvent {
  return {
    consumer,
    eventId: item.event.id,
    subject: item.event.subject,
    eventType: item.event.type,
    position: item.position ? formatPosition(item.position) : item.event.position,
    reason,
    event: JSON.stringify(item.event),
  };
}

function positionOf(event: IntegrationEvent): GlobalPosition | undefined {
  return event.position ? parsePosition(event.position) : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function quotePath(path: string): string {
  return path
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
