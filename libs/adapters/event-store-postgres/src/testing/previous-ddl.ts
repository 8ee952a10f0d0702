/**
 * The store's DDL as it was before the append function (tables and index only), for the specs that
 * prove `migrate()` upgrades such a database in place.
 */
export function previousEventStoreDdl(s: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.streams (stream_id text PRIMARY KEY, revision bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.events (
      global_position bigserial PRIMARY KEY,
      transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
      event_id        uuid NOT NULL UNIQUE,
      stream_id       text NOT NULL,
      stream_revision bigint NOT NULL,
      type            text NOT NULL,
      schema_version  integer NOT NULL DEFAULT 1,
      data            jsonb NOT NULL,
      metadata        jsonb NOT NULL,
      recorded_at     timestamptz NOT NULL DEFAULT now(),
      UNIQUE (stream_id, stream_revision))`,
    `CREATE INDEX IF NOT EXISTS events_global_order ON ${s}.events (transaction_id, global_position)`,
  ];
}

/** What the previous adapter wrote for a two-event append: the stream row and its events. */
export function previousAppendStatements(s: string): string[] {
  return [
    `INSERT INTO ${s}.streams (stream_id, revision) VALUES ('legacy-stream', 1)`,
    `INSERT INTO ${s}.events (event_id, stream_id, stream_revision, type, data, metadata) VALUES
      ('11111111-1111-4111-8111-111111111111', 'legacy-stream', 0, 'Old', '{"n":0}', '{"correlationId":"c","causationId":"c","actor":{"type":"system","id":"legacy"},"occurredAt":"2024-01-01T00:00:00.000Z","visibility":{"departments":"*","partners":[]}}'),
      ('22222222-2222-4222-8222-222222222222', 'legacy-stream', 1, 'Old', '{"n":1}', '{"correlationId":"c","causationId":"c","actor":{"type":"system","id":"legacy"},"occurredAt":"2024-01-01T00:00:00.000Z","visibility":{"departments":"*","partners":[]}}')`,
  ];
}
