import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * Settings every CRM process shares: which adapters to wire. `embedded` = PGlite on disk + in-process
 * bus (one process, no servers); `distributed` = PostgreSQL or EventStoreDB + Kafka.
 */
export class PlatformConfig {
  @IsIn(['embedded', 'distributed'])
  CRM_MODE: 'embedded' | 'distributed' = 'embedded';

  /** Embedded mode: where PGlite keeps its files. */
  @IsString()
  @IsNotEmpty()
  CRM_DATA_DIR: string = './data';

  @IsIn(['postgres', 'eventstoredb'])
  CRM_EVENT_STORE: 'postgres' | 'eventstoredb' = 'postgres';

  /** PostgreSQL for read models, checkpoints and (with CRM_EVENT_STORE=postgres) the event store. */
  @ValidateIf((c: PlatformConfig) => c.CRM_MODE === 'distributed')
  @IsString()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'CRM_DATABASE_URL must be a postgres:// URL' })
  CRM_DATABASE_URL?: string;

  /** PostgreSQL schema of the event store tables. */
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'CRM_EVENT_STORE_SCHEMA must be a lower-case SQL identifier' })
  CRM_EVENT_STORE_SCHEMA: string = 'event_store';

  /** PostgreSQL schema of the platform's checkpoints and projection dedupe records. */
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'CRM_PLATFORM_SCHEMA must be a lower-case SQL identifier' })
  CRM_PLATFORM_SCHEMA: string = 'platform';

  /**
   * Store subscriptions (projections following the store, the relay) read no sooner than this many
   * milliseconds after their previous read when an append wakes them: idle, the first append is read
   * at once; under a stream of appends they read pages of what arrived meanwhile instead of one
   * transaction per event per subscriber. 0 reads at every wake-up.
   */
  @IsInt()
  @Min(0)
  @Max(1000)
  CRM_SUBSCRIPTION_COALESCE_MS: number = 50;

  @ValidateIf((c: PlatformConfig) => c.CRM_MODE === 'distributed' && c.CRM_EVENT_STORE === 'eventstoredb')
  @IsString()
  @Matches(/^(esdb|kurrentdb|kdb)(\+discover)?:\/\/.+/, { message: 'CRM_ESDB_CONNECTION_STRING must be an esdb:// or kurrentdb:// connection string' })
  CRM_ESDB_CONNECTION_STRING?: string;

  @ValidateIf((c: PlatformConfig) => c.CRM_MODE === 'distributed')
  @Transform(csv)
  @IsString({ each: true })
  @Matches(/^[^:\s]+:\d+$/, { each: true, message: 'CRM_KAFKA_BROKERS must be a comma-separated list of host:port' })
  @IsNotEmpty({ message: 'CRM_KAFKA_BROKERS must list at least one broker' })
  CRM_KAFKA_BROKERS?: string[];

  @IsString()
  @Matches(/^[a-zA-Z0-9._-]+$/)
  CRM_KAFKA_TOPIC: string = 'crm.customer-events';

  @IsInt()
  @Min(1)
  @Max(1000)
  CRM_KAFKA_PARTITIONS: number = 6;

  @IsInt()
  @Min(1)
  @Max(5)
  CRM_KAFKA_REPLICATION_FACTOR: number = 1;

  /** Partitions a consumer applies at once (each still in order); more uses more database connections. */
  @IsInt()
  @Min(1)
  @Max(64)
  CRM_KAFKA_CONSUMER_CONCURRENCY: number = 3;

  /** A consumer that stops heartbeating leaves its group after this (the broker's minimum is 6 s by default). */
  @IsInt()
  @Min(1000)
  @Max(300000)
  CRM_KAFKA_SESSION_TIMEOUT_MS: number = 6000;

  /**
   * The Kafka client under the bus: `platformatic` (@platformatic/kafka, maintained, speaks Kafka 3.5
   * to 4.1) or `kafkajs` (kafkajs 2.2, unmaintained, cannot reach Kafka 4). Same topics, keys and
   * dead letters either way. The default: it published 1.7 times as fast as kafkajs at the same
   * end-to-end latency in `npm run bench -- --only bus`. See docs/operations.md "Kafka client".
   */
  @IsIn(['kafkajs', 'platformatic'], { message: 'CRM_KAFKA_CLIENT must be one of: kafkajs, platformatic' })
  CRM_KAFKA_CLIENT: 'kafkajs' | 'platformatic' = 'platformatic';

  @IsOptional()
  @IsIn(['error', 'warn', 'info', 'debug'])
  CRM_LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug' = 'info';
}
