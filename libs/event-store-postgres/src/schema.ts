/** Identifier check for the configurable schema name: it is interpolated into DDL. */
export function assertIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid SQL identifier "${name}"`);
  return name;
}

/**
 * `transaction_id` is what makes the global order gap-safe (the approach Emmett takes): readers only
 * see events whose writing transaction is older than every transaction still in flight
 * (`pg_snapshot_xmin`), and order by (transaction_id, global_position). A bigserial alone would
 * let a reader pass position 11 (committed) while 10 (still in flight) is later committed behind it.
 */
export function eventStoreDdl(schema: string): string {
  const s = assertIdentifier(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id   text PRIMARY KEY,
  revision    bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.events (
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
  UNIQUE (stream_id, stream_revision)
);
CREATE INDEX IF NOT EXISTS events_global_order ON ${s}.events (transaction_id, global_position);
`;
}
