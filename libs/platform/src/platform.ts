import fs from 'node:fs';
import { AdvisoryLockLease, SOLE_INSTANCE_LEASE, type ProcessLease } from './process-lease';
import path from 'node:path';
import type { IntegrationBus, IntegrationEventRegistry } from '@crm/bus';
import { InProcessBus } from '@crm/bus-in-process';
import { KafkaBus } from '@crm/bus-kafka';
import { PlatformaticKafkaBus } from '@crm/bus-kafka-platformatic';
import { kafkaClientSecurity, type PlatformConfig } from '@crm/config';
import type { EventStore } from '@crm/event-store';
import { EsdbEventStore } from '@crm/event-store-esdb';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { assertIdentifier } from '@crm/sql';
import { SqlCheckpointStore } from '@crm/checkpoints';
import { crmEventStore } from './crm-event-store';
import { measuredEventStore, PlatformMetrics } from './platform-metrics';
import { PersonalData, PersonalDataKeys } from '@crm/personal-data';
import { DataDirLock } from './data-dir-lock';
import { type SqlClient } from '@crm/sql';
import { PgliteSession, PgSqlClient } from '@crm/sql-clients';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { migrateReadModels, READ_MODEL_MIGRATIONS_TABLE, withSchemaChangeLock, type ReadModelMigration } from './read-model-migrations';

/** The adapters one process runs on, chosen by configuration — never hard-coded by a service. */
export interface Platform {
  readonly config: PlatformConfig;
  /** The configured adapter, holding every append to the CRM's metadata rule (`crmEventStore`). */
  readonly eventStore: EventStore;
  readonly bus: IntegrationBus;
  /** SQL for checkpoints and platform bookkeeping (PostgreSQL, or the embedded PGlite). */
  readonly sql: SqlClient;
  readonly checkpoints: SqlCheckpointStore;
  /** Keys of the data subjects (in `sql`): seals and reveals personal fields, and erases them. */
  readonly personalData: PersonalData;
  /** True when read models should follow the store directly (embedded: the bus keeps nothing across restarts). */
  readonly projectionsFollowStore: boolean;
  /**
   * The process's platform metrics (event store appends, business counters, projections): one
   * registry per platform, appended to every app's `GET /metrics` and to the relay's.
   */
  readonly metrics: PlatformMetrics;
  /**
   * A TypeORM data source for a service's read models, on the same database. Embedded: its tables
   * are synchronised with the entities (one process, no migration Job). Distributed: never
   * synchronised — the service's `migrations` run (advisory-locked; `tools/migrate.ts` runs them
   * ahead of a rollout) and the tables must then match the entities, or it throws
   * `ReadModelSchemaDriftError` (docs/operations.md "Migrations"). `synchronize: true` forces the
   * old behaviour, for test harnesses whose entities belong to no service.
   */
  createDataSource(entities: MixedList<Function | string | EntitySchema>, options?: DataSourceOptions): Promise<DataSource>;
  /**
   * The lease of a process that must run in one instance only (the case router): a PostgreSQL
   * advisory lock on a session of its own when several instances may run (distributed), always held
   * embedded (one process per data folder). Release it when the process stops.
   */
  processLease(name: string): ProcessLease;
  close(): Promise<void>;
}

export interface DataSourceOptions {
  schema?: string;
  /** Embedded: default true. Distributed: only an explicit true synchronises (test harnesses). */
  synchronize?: boolean;
  /** The service's read-model migrations (distributed mode runs them; see `migrateReadModels`). */
  migrations?: readonly ReadModelMigration[];
}

export interface CreatePlatformOptions {
  registry: IntegrationEventRegistry;
  /** Kafka client id / application name of this process, e.g. `crm-sales`. */
  clientId: string;
}

export async function createPlatform(config: PlatformConfig, options: CreatePlatformOptions): Promise<Platform> {
  return config.CRM_MODE === 'embedded' ? createEmbedded(config, options) : createDistributed(config, options);
}

async function createEmbedded(config: PlatformConfig, options: CreatePlatformOptions): Promise<Platform> {
  // PGlite is one session per folder: a second process on it would silently lose writes.
  const lock = DataDirLock.acquire(config.CRM_DATA_DIR);
  const dir = path.resolve(config.CRM_DATA_DIR, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  let session: PgliteSession;
  try {
    session = await PgliteSession.open(dir);
  } catch (error) {
    lock.release();
    throw error;
  }
  const sql = session.sqlClient();
  const pglite = new PostgresEventStore(sql, { schema: config.CRM_EVENT_STORE_SCHEMA, minWakeIntervalMs: config.CRM_SUBSCRIPTION_COALESCE_MS });
  await pglite.migrate();
  const metrics = new PlatformMetrics();
  const eventStore = crmEventStore(measuredEventStore(pglite, metrics, 'pglite'));
  const checkpoints = new SqlCheckpointStore(sql, config.CRM_PLATFORM_SCHEMA);
  await checkpoints.migrate();
  const personalData = await migratedPersonalData(sql, config.CRM_PLATFORM_SCHEMA);
  const bus = new InProcessBus(options.registry, { topic: config.CRM_KAFKA_TOPIC, partitions: config.CRM_KAFKA_PARTITIONS });
  // One process owns PGlite: synchronising in initialize() cannot race anyone.
  const dataSources = dataSourceFactory(sql, { driver: session.pgDriver() }, false);
  return {
    config,
    eventStore,
    bus,
    sql,
    checkpoints,
    personalData,
    projectionsFollowStore: true,
    metrics,
    createDataSource: dataSources.create,
    processLease: () => SOLE_INSTANCE_LEASE,
    async close() {
      try {
        await dataSources.destroyAll();
        await bus.close();
        await session.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function createDistributed(config: PlatformConfig, options: CreatePlatformOptions): Promise<Platform> {
  const url = required(config.CRM_DATABASE_URL, 'CRM_DATABASE_URL');
  const sql = new PgSqlClient(url);
  try {
    await assertDurableCommits(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  let eventStore: EventStore;
  if (config.CRM_EVENT_STORE === 'eventstoredb') {
    eventStore = new EsdbEventStore(required(config.CRM_ESDB_CONNECTION_STRING, 'CRM_ESDB_CONNECTION_STRING'));
  } else {
    const pg = new PostgresEventStore(new PgSqlClient(url), { schema: config.CRM_EVENT_STORE_SCHEMA, minWakeIntervalMs: config.CRM_SUBSCRIPTION_COALESCE_MS });
    await pg.migrate();
    eventStore = pg;
  }
  const metrics = new PlatformMetrics();
  eventStore = crmEventStore(measuredEventStore(eventStore, metrics, config.CRM_EVENT_STORE === 'eventstoredb' ? 'eventstoredb' : 'postgres'));
  const checkpoints = new SqlCheckpointStore(sql, config.CRM_PLATFORM_SCHEMA);
  await checkpoints.migrate();
  const personalData = await migratedPersonalData(sql, config.CRM_PLATFORM_SCHEMA);
  const kafka = {
    brokers: required(config.CRM_KAFKA_BROKERS, 'CRM_KAFKA_BROKERS'),
    clientId: options.clientId,
    topic: config.CRM_KAFKA_TOPIC,
    partitions: config.CRM_KAFKA_PARTITIONS,
    replicationFactor: config.CRM_KAFKA_REPLICATION_FACTOR,
    partitionsConsumedConcurrently: config.CRM_KAFKA_CONSUMER_CONCURRENCY,
    sessionTimeoutMs: config.CRM_KAFKA_SESSION_TIMEOUT_MS,
    // TLS and SASL/SCRAM when configured (production: Strimzi's tls listener and a KafkaUser).
    ...kafkaClientSecurity(config),
  };
  // Both adapters share the wire format (@crm/bus-kafka-wire), so a switch can roll through the services.
  const bus = config.CRM_KAFKA_CLIENT === 'platformatic' ? new PlatformaticKafkaBus(options.registry, kafka) : new KafkaBus(options.registry, kafka);
  const dataSources = dataSourceFactory(sql, { url }, true);
  return {
    config,
    eventStore,
    bus,
    sql,
    checkpoints,
    personalData,
    projectionsFollowStore: false,
    metrics,
    createDataSource: dataSources.create,
    processLease: (name) => new AdvisoryLockLease(url, name),
    async close() {
      await dataSources.destroyAll();
      await bus.close();
      await eventStore.close();
      await sql.close();
    },
  };
}

/**
 * Refuses a database that acknowledges commits before they are durable. With
 * `synchronous_commit = off`, PostgreSQL answers COMMIT while the WAL is still in shared memory: a
 * crash then loses acknowledged appends, and read-model batches whose Kafka offsets were already
 * committed — events lost for good (the chaos suite caught exactly that). `local`, `remote_write`,
 * `on` and `remote_apply` all wait for at least the local WAL write.
 */
export async function assertDurableCommits(sql: SqlClient): Promise<void> {
  const { rows } = await sql.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
  if (rows[0]?.synchronous_commit === 'off')
    throw new Error(
      'CRM_DATABASE_URL: PostgreSQL setting synchronous_commit is off, so a crash can lose acknowledged commits and with them events already delivered; ' +
        'set it to on (e.g. ALTER DATABASE <name> SET synchronous_commit = on) — see docs/deploy.md',
    );
}

/** The keys table, created under the platform's migration lock (several processes may start at once). */
async function migratedPersonalData(sql: SqlClient, schema: string): Promise<PersonalData> {
  const personalData = new PersonalData(new PersonalDataKeys(schema));
  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7201003)');
    await personalData.keys.migrate(tx);
  });
  return personalData;
}

/**
 * TypeORM data sources on the platform's database. `exclusiveSync`: several processes may start at
 * once, so synchronise under an advisory lock after connecting (not possible on PGlite, whose one
 * session a second query runner would wait for forever).
 */
/** node-postgres pool settings for a PostgreSQL server (not PGlite). */
const SERVER_POOL = { connectionTimeoutMillis: 10_000, keepAlive: true, statement_timeout: 120_000, query_timeout: 130_000 };

function dataSourceFactory(sql: SqlClient, connection: { driver: unknown } | { url: string }, exclusiveSync: boolean) {
  const created: DataSource[] = [];
  return {
    async create(entities: MixedList<Function | string | EntitySchema>, options: DataSourceOptions = {}): Promise<DataSource> {
      if (options.schema) await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${assertIdentifier(options.schema)}`);
      // On a server (exclusiveSync: distributed), schema changes come from versioned migrations only.
      const synchronize = exclusiveSync ? options.synchronize === true : (options.synchronize ?? true);
      const ds = new DataSource({
        type: 'postgres',
        ...connection,
        // On a server: a connection attempt or a statement that hangs (a restart, a half-open socket)
        // fails after a bound instead of holding a read model's batch forever; the runner retries.
        ...('url' in connection && { extra: SERVER_POOL }),
        entities,
        schema: options.schema,
        synchronize: synchronize && !exclusiveSync,
        migrations: [...(options.migrations ?? [])],
        migrationsTableName: READ_MODEL_MIGRATIONS_TABLE,
      });
      await ds.initialize();
      if (synchronize && exclusiveSync) await synchronizeExclusively(ds);
      else if (exclusiveSync) {
        try {
          await migrateReadModels(ds, { schema: options.schema ?? 'public', exclusive: true });
        } catch (error) {
          await ds.destroy();
          throw error;
        }
      }
      created.push(ds);
      return ds;
    },
    async destroyAll(): Promise<void> {
      for (const ds of created) await ds.destroy();
    },
  };
}

/** Several processes may start at once; their schema synchronisations must not interleave. */
async function synchronizeExclusively(ds: DataSource): Promise<void> {
  await withSchemaChangeLock(ds, () => ds.synchronize());
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is required in distributed mode`);
  return value;
}
