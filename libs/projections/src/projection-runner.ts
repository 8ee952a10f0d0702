import { type BusSubscription, type IntegrationBus, type IntegrationEvent, type IntegrationEventRegistry } from '@crm/bus';
import { parsePosition, type EventStore, type RecordedEvent, type Subscription } from '@crm/event-store';
import { assertIdentifier } from '@crm/event-store-postgres';
import type { DataSource, EntityManager } from 'typeorm';
import type { Projection } from './projection';

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored';

export interface ProjectionRunnerOptions {
  /** Schema of the runner's bookkeeping tables (dedupe and checkpoints); default `platform`. */
  schema?: string;
}

/**
 * Applies integration events to a TypeORM read model. The change, the dedupe record (projection,
 * event id) and the checkpoint are written in ONE transaction: either all three happen or none, so
 * a redelivered event is recognised and skipped, and a crash never leaves a half-applied event.
 */
export class ProjectionRunner {
  private readonly dedupeTable: string;
  private readonly checkpointTable: string;
  private subscription?: BusSubscription;
  private storeSubscription?: Subscription;

  constructor(
    private readonly dataSource: DataSource,
    readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    const schema = assertIdentifier(options.schema ?? 'platform');
    this.dedupeTable = `${schema}.projection_dedupe`;
    this.checkpointTable = `${schema}.projection_checkpoints`;
  }

  get group(): string {
    return `projection.${this.projection.name}`;
  }

  /** Creates the bookkeeping tables; read model tables come from the data source's own migration. */
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
      await m.query(`CREATE TABLE IF NOT EXISTS ${this.checkpointTable} (
        projection text PRIMARY KEY,
        last_event_id uuid NOT NULL,
        last_position text,
        events_applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    });
  }

  /** Applies one event exactly once (per projection), whatever the number of deliveries. */
  async apply(event: IntegrationEvent): Promise<ApplyOutcome> {
    if (!this.projection.handles.includes(event.type)) return 'ignored';
    return this.dataSource.transaction(async (manager) => {
      const claimed = await manager.query(
        `INSERT INTO ${this.dedupeTable} (projection, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.projection.name, event.id],
      );
      if (rows(claimed).length === 0) return 'duplicate';
      await this.projection.apply(event, manager);
      await this.saveCheckpoint(manager, event);
      return 'applied';
    });
  }

  private async saveCheckpoint(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.checkpointTable} (projection, last_event_id, last_position, events_applied, updated_at)
       VALUES ($1, $2, $3, 1, now())
       ON CONFLICT (projection) DO UPDATE SET last_event_id = EXCLUDED.last_event_id, last_position = EXCLUDED.last_position,
         events_applied = ${this.checkpointTable}.events_applied + 1, updated_at = now()`,
      [this.projection.name, event.id, event.position ?? null],
    );
  }

  /** Consumes the bus as consumer group `projection.<name>`; dedupe is done here, transactionally. */
  async start(bus: IntegrationBus): Promise<void> {
    this.subscription = await bus.subscribe({
      group: this.group,
      dedupe: false,
      handler: async (event) => {
        await this.apply(event);
      },
    });
  }

  /**
   * Follows the event store directly from the checkpoint stored with the read model (the embedded
   * mode, where the in-process bus keeps nothing across restarts). The checkpoint is the global
   * position, written in the same transaction as each change, so a restart resumes exactly there.
   */
  async startFromStore(
    store: EventStore,
    registry: IntegrationEventRegistry,
    mapping: (e: RecordedEvent) => IntegrationEvent | undefined,
    onError?: (error: unknown) => void,
  ): Promise<void> {
    const last = (await this.status())?.lastPosition;
    this.storeSubscription = store.subscribeToAll({
      after: last ? parsePosition(last) : undefined,
      onEvent: async (stored) => {
        const event = mapping(stored);
        if (event && registry.has(event.type, event.schemaversion)) await this.apply(registry.validate(event));
      },
      onError,
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.storeSubscription?.stop();
    this.storeSubscription = undefined;
  }

  async status(): Promise<{ eventsApplied: number; lastPosition: string | null } | undefined> {
    const r = rows(await this.dataSource.query(`SELECT events_applied::text AS n, last_position FROM ${this.checkpointTable} WHERE projection = $1`, [this.projection.name]));
    const row = r[0] as { n: string; last_position: string | null } | undefined;
    return row ? { eventsApplied: Number(row.n), lastPosition: row.last_position } : undefined;
  }

  /**
   * Rebuilds the read model from position zero of the event store: empties its tables, its dedupe
   * records and checkpoint in one transaction, then replays every event through the same `apply`.
   * Stop the live consumer first; it can resume afterwards (its redeliveries are deduplicated).
   */
  async rebuild(store: EventStore, registry: IntegrationEventRegistry, mapping: (e: RecordedEvent) => IntegrationEvent | undefined): Promise<number> {
    await this.dataSource.transaction(async (manager) => {
      for (const entity of this.projection.entities) {
        const table = manager.getRepository(entity).metadata.tablePath;
        await manager.query(`DELETE FROM ${quotePath(table)}`);
      }
      await manager.query(`DELETE FROM ${this.dedupeTable} WHERE projection = $1`, [this.projection.name]);
      await manager.query(`DELETE FROM ${this.checkpointTable} WHERE projection = $1`, [this.projection.name]);
    });
    let applied = 0;
    let after: RecordedEvent['position'] | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 500 });
      for (const stored of page) {
        const event = mapping(stored);
        if (event && registry.has(event.type, event.schemaversion) && (await this.apply(registry.validate(event))) === 'applied') applied++;
      }
      if (page.length < 500) return applied;
      after = page[page.length - 1].position;
    }
  }
}

/** TypeORM's `query` returns rows for SELECT/INSERT…RETURNING, or [rows, count] on some drivers. */
function rows(result: unknown): unknown[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
  return Array.isArray(result) ? result : [];
}

function quotePath(path: string): string {
  return path
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
