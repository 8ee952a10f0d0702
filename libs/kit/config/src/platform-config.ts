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
   * dead letters either way. The default: it published 1.25 to 1.7 times as fast as kafkajs at the same
   * end-to-end latency in `npm run bench -- --only bus`. See docs/operations.md "Kafka client".
   */
  @IsIn(['kafkajs', 'platformatic'], { message: 'CRM_KAFKA_CLIENT must be one of: kafkajs, platformatic' })
  CRM_KAFKA_CLIENT: 'kafkajs' | 'platformatic' = 'platformatic';

  // Kafka security (issue 15 §4; Strimzi listener `tls: true` + KafkaUser `scram-sha-512`). Read
  // them through `kafkaClientSecurity(config)`, which every Kafka bus adapter takes.
  /** TLS to the brokers. `true` in production (Strimzi's `tls` listener on 9093); local stays plaintext. */
  @IsIn(['true', 'false'], { message: 'CRM_KAFKA_SSL must be true or false' })
  CRM_KAFKA_SSL: 'true' | 'false' = 'false';

  /** PEM file of the CA(s) the brokers' certificates are checked against (Strimzi's `<cluster>-cluster-ca-cert` Secret, `ca.crt`). Unset: the system CAs. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  CRM_KAFKA_CA_FILE?: string;

  /** SASL mechanism; unset: no authentication. PLAIN sends the password as it is, so it needs CRM_KAFKA_SSL=true. */
  @IsOptional()
  @IsIn(['scram-sha-512', 'scram-sha-256', 'plain'], { message: 'CRM_KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or plain' })
  CRM_KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | 'plain';

  /** The Kafka user (the KafkaUser's name); required with CRM_KAFKA_SASL_MECHANISM. */
  @ValidateIf((c: PlatformConfig) => c.CRM_KAFKA_SASL_MECHANISM !== undefined || c.CRM_KAFKA_SASL_USERNAME !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'CRM_KAFKA_SASL_USERNAME is required with CRM_KAFKA_SASL_MECHANISM' })
  CRM_KAFKA_SASL_USERNAME?: string;

  /** The user's password (from the Secret Strimzi's User Operator generates, key `password`); required with CRM_KAFKA_SASL_MECHANISM. */
  @ValidateIf((c: PlatformConfig) => c.CRM_KAFKA_SASL_MECHANISM !== undefined || c.CRM_KAFKA_SASL_PASSWORD !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'CRM_KAFKA_SASL_PASSWORD is required with CRM_KAFKA_SASL_MECHANISM' })
  CRM_KAFKA_SASL_PASSWORD?: string;
  /**
   * Graceful shutdown (docs/operations.md "Shutdown"): on SIGTERM readiness answers 503 at once, and
   * only this many milliseconds later does the HTTP server stop accepting, so load balancers and
   * kube-proxy stop sending first. Unset: 5000 in distributed mode, 0 in embedded mode (no balancer
   * in front). Read it through `shutdownDelayMs`.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120000)
  CRM_SHUTDOWN_DELAY_MS?: number;

  /**
   * Graceful shutdown: how long requests in flight may take to finish once the server stopped
   * accepting; connections still busy after it are cut. Keep delay + timeout below the pod's
   * terminationGracePeriodSeconds (30 s by default).
   */
  @IsInt()
  @Min(0)
  @Max(600000)
  CRM_SHUTDOWN_TIMEOUT_MS: number = 10000;

  @IsOptional()
  @IsIn(['error', 'warn', 'info', 'debug'])
  CRM_LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug' = 'info';

  /** `json`: one JSON object per line (for a log collector); `pretty`: one readable line. Default: json in distributed mode, pretty embedded. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  CRM_LOG_FORMAT?: 'json' | 'pretty';

  /**
   * OpenTelemetry tracing: `true` turns it on without an OTLP endpoint (the exporter's default
   * localhost:4318), `false` off even with one. Read before the config is (`@crm/telemetry/start`);
   * declared here so it is a known setting. Unset: on exactly when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
   */
  @IsOptional()
  @IsIn(['true', 'false'])
  CRM_OTEL_ENABLED?: 'true' | 'false';
}

/** `CRM_SHUTDOWN_DELAY_MS`, or its default by mode: 5000 distributed (a load balancer in front), 0 embedded. */
export function shutdownDelayMs(config: Pick<PlatformConfig, 'CRM_MODE' | 'CRM_SHUTDOWN_DELAY_MS'>): number {
  return config.CRM_SHUTDOWN_DELAY_MS ?? (config.CRM_MODE === 'distributed' ? 5000 : 0);
}
