import { assertIdentifier } from '@crm/sql';

/** SQLSTATE the append function raises when the expected revision does not hold; DETAIL = actual revision ('' = no stream). */
export const CONCURRENCY_CONFLICT = 'SE409';
/** SQLSTATE the append function raises when a batch overlaps stored events only in part or in another stream; DETAIL = those event ids. */
export const IDEMPOTENCY_VIOLATION = 'SE422';

/**
 * The NOTIFY channel the append function signals after each write (`<schema>_events`, cut to
 * PostgreSQL's 63-byte identifier limit so LISTEN and pg_notify agree).
 */
export function eventsChannel(schema: string): string {
  return `${assertIdentifier(schema)}_events`.slice(0, 63);
}

/**
 * The store's DDL, one statement per entry (the function body contains semicolons). Every statement
 * is idempotent, so `migrate()` runs them all on every start under an advisory lock — which also
 * upgrades a database created before the append function existed (the tables are unchanged).
 *
 * `transaction_id` is what makes the global order gap-safe (the approach Emmett takes): readers only
 * see events whose writing transaction is older than every transaction still in flight
 * (`pg_snapshot_xmin`), and order by (transaction_id, global_position). A bigserial alone would
 * let a reader pass position 11 (committed) while 10 (still in flight) is later committed behind it.
 */
export function eventStoreDdl(schema: string): string[] {
  const s = assertIdentifier(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id   text PRIMARY KEY,
  revision    bigint NOT NULL
)`,
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
  UNIQUE (stream_id, stream_revision)
)`,
    `CREATE INDEX IF NOT EXISTS events_global_order ON ${s}.events (transaction_id, global_position)`,
    appendFunctionDdl(s),
  ];
}

/**
 * One append = one statement = one round trip: `SELECT <schema>.append_events(stream, expected,
 * events, payload)` in autocommit. `expected` is `any`, `no_stream`, `stream_exists` or a revision;
 * `events` one jsonb array of `{id, type, schemaVersion, data, metadata}` (one parameter parses
 * measurably faster than five arrays); the answer is `bigint[]` {revision after the batch,
 * transaction id, global position of the last event, 1 = appended / 0 = already stored} (a scalar
 * result skips the function-scan a row type would need). In order:
 *
 * 1. Lock the stream and bump its revision in one upsert (`INSERT … ON CONFLICT DO UPDATE …
 *    RETURNING` the revision before): appends to one stream queue on that row; different streams
 *    never wait for each other. One row version per append.
 * 2. Expected revision against the value read under the lock. If it does not hold, the batch may
 *    still be a retry of one that committed (idempotency wins over a now-stale expectation): whole
 *    batch already in this stream → the earlier result, nothing written (the bump is undone); some
 *    ids stored, or ids in another stream → IDEMPOTENCY_VIOLATION; otherwise CONCURRENCY_CONFLICT
 *    with the actual revision. Raising rolls the bump back.
 * 3. One INSERT … ON CONFLICT (event_id) DO NOTHING; revisions and sequence values follow the batch
 *    order. The unique index is the idempotency check of the common path: no lookup before the
 *    insert. Fewer rows inserted than sent → the same decision as in step 2 (all already in this
 *    stream → earlier result; otherwise IDEMPOTENCY_VIOLATION, rolling back what was inserted).
 *    A concurrent append of the same ids waits on the index for the other transaction and then
 *    sees its outcome, so that race is settled here too.
 * 4. pg_notify: delivered to listeners at commit only, so a woken reader never looks too early.
 *
 * The lookups of steps 2–3 run only on those rare paths, through EXECUTE: PL/pgSQL caches generic
 * plans, and one made while the table was small would seq-scan it on every later call.
 * Volatile + READ COMMITTED: every statement takes a fresh snapshot, so a lookup sees what committed
 * while step 1 waited for the lock.
 *
 * CREATE OR REPLACE keeps the function's identity, so running it on every start is harmless to
 * concurrent callers; it cannot change the parameters or the result type — a change there needs a
 * `DROP FUNCTION` of the old signature in the migration first.
 */
function appendFunctionDdl(s: string): string {
  const channel = eventsChannel(s);
  return `CREATE OR REPLACE FUNCTION ${s}.append_events(
  p_stream_id text,
  p_expected text,
  p_events jsonb,
  p_notify_payload text DEFAULT ''
) RETURNS bigint[] LANGUAGE plpgsql VOLATILE AS $append$
DECLARE
  v_count    int := jsonb_array_length(p_events);
  v_event    jsonb;
  v_current  bigint;
  v_holds    boolean;
  v_inserted int;
  v_ids      uuid[];
  v_found    int;
  v_foreign  boolean;
  v_last     bigint;
  v_stored   text;
  v_position bigint;
  v_tx       xid8;
BEGIN
  -- 1. Lock the stream row and bump its revision (or create it).
  INSERT INTO ${s}.streams AS st (stream_id, revision) VALUES (p_stream_id, v_count - 1)
    ON CONFLICT (stream_id) DO UPDATE SET revision = st.revision + v_count
    RETURNING st.revision - v_count INTO v_current;

  -- 2. Expected revision, read under the lock.
  v_holds := CASE p_expected
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN v_current < 0
    WHEN 'stream_exists' THEN v_current >= 0
    ELSE v_current = p_expected::bigint
  END;
  IF v_holds THEN
    -- 3. The events, in batch order; ids already stored are skipped here and judged below.
    IF v_count = 1 THEN
      v_event := p_events -> 0;
      INSERT INTO ${s}.events (event_id, stream_id, stream_revision, type, schema_version, data, metadata)
        VALUES ((v_event ->> 'id')::uuid, p_stream_id, v_current + 1, v_event ->> 'type',
                coalesce((v_event ->> 'schemaVersion')::int, 1), v_event -> 'data', v_event -> 'metadata')
        ON CONFLICT (event_id) DO NOTHING
        RETURNING global_position INTO v_position;
      v_inserted := CASE WHEN FOUND THEN 1 ELSE 0 END;
    ELSE
      WITH inserted AS (
        INSERT INTO ${s}.events (event_id, stream_id, stream_revision, type, schema_version, data, metadata)
        SELECT (u.e ->> 'id')::uuid, p_stream_id, v_current + u.n, u.e ->> 'type',
               coalesce((u.e ->> 'schemaVersion')::int, 1), u.e -> 'data', u.e -> 'metadata'
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS u(e, n)
        ON CONFLICT (event_id) DO NOTHING
        RETURNING global_position
      )
      SELECT count(*)::int, max(global_position) INTO v_inserted, v_position FROM inserted;
    END IF;
    IF v_inserted = v_count THEN
      -- 4. Wake listeners (sent at commit).
      PERFORM pg_notify('${channel}', p_notify_payload);
      RETURN ARRAY[v_current + v_count, pg_current_xact_id()::text::bigint, v_position, 1];
    END IF;
    IF v_inserted > 0 THEN
      v_found := -1; -- part of the batch was stored before: refused below, whatever the rest
    END IF;
  END IF;

  -- Rare paths: a stale expectation, or ids already stored.
  v_ids := ARRAY(SELECT (x ->> 'id')::uuid FROM jsonb_array_elements(p_events) AS x);
  IF v_found IS NULL THEN
    EXECUTE 'SELECT count(*)::int, coalesce(bool_or(e.stream_id <> $2), false), max(e.stream_revision)
               FROM ${s}.events e WHERE e.event_id = ANY ($1)'
      INTO v_found, v_foreign, v_last USING v_ids, p_stream_id;
    IF v_found = v_count AND NOT v_foreign THEN
      -- A retry of a batch that is stored in full: undo the bump, answer with the earlier result.
      UPDATE ${s}.streams st SET revision = v_current WHERE st.stream_id = p_stream_id;
      EXECUTE 'SELECT e.transaction_id, e.global_position FROM ${s}.events e WHERE e.stream_id = $1 AND e.stream_revision = $2'
        INTO v_tx, v_position USING p_stream_id, v_last;
      RETURN ARRAY[v_last, v_tx::text::bigint, v_position, 0];
    END IF;
  END IF;
  IF v_found <> 0 THEN
    -- The ids stored before (rows this call inserted are in this stream above v_current).
    EXECUTE 'SELECT string_agg(e.event_id::text, '','') FROM ${s}.events e
               WHERE e.event_id = ANY ($1) AND (e.stream_id <> $2 OR e.stream_revision <= $3)'
      INTO v_stored USING v_ids, p_stream_id, v_current;
    RAISE EXCEPTION USING ERRCODE = '${IDEMPOTENCY_VIOLATION}', MESSAGE = 'idempotency violation', DETAIL = coalesce(v_stored, '');
  END IF;
  RAISE EXCEPTION USING ERRCODE = '${CONCURRENCY_CONFLICT}', MESSAGE = 'wrong expected revision',
    DETAIL = CASE WHEN v_current < 0 THEN '' ELSE v_current::text END;
END
$append$`;
}
