import { parsePosition } from '@crm/event-store';
import type { SqlClient } from '@crm/sql';
import { PgliteSession } from '@crm/sql-clients';
import { SqlCheckpointStore } from './checkpoint-store';

// One checkpoint table for the relay and the projections, on embedded PGlite (each test its own schema).
describe('SqlCheckpointStore (PGlite)', () => {
  let session: PgliteSession;
  let sql: SqlClient;
  let n = 0;
  const freshSchema = () => `checkpoints_${++n}`;

  beforeAll(async () => {
    session = await PgliteSession.open();
    sql = session.sqlClient();
  });
  afterAll(async () => {
    await session.close();
  });

  /** The two tables as the relay and the projection runner created them before they shared one. */
  async function previousTables(schema: string, options: { rebuiltThrough?: boolean } = {}): Promise<void> {
    await sql.exec(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.checkpoints (name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE ${schema}.projection_checkpoints (
        projection text PRIMARY KEY, last_event_id uuid NOT NULL, last_position text,
        events_applied bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO ${schema}.checkpoints (name, position) VALUES ('relay', '1700/1699'), ('replay', '12/11');
      INSERT INTO ${schema}.projection_checkpoints (projection, last_event_id, last_position, events_applied, updated_at) VALUES
        ('sales.timeline', '11111111-1111-4111-8111-111111111111', '1500/1499', 420, '2025-01-02T03:04:05Z'),
        ('analytics.customer-metrics', '22222222-2222-4222-8222-222222222222', NULL, 7, '2025-01-02T03:04:05Z');`);
    if (options.rebuiltThrough) {
      await sql.exec(`ALTER TABLE ${schema}.projection_checkpoints ADD COLUMN rebuilt_through text;
        UPDATE ${schema}.projection_checkpoints SET rebuilt_through = '900/899' WHERE projection = 'analytics.customer-metrics';`);
    }
  }

  it('keeps the relay and the projection positions of a database that had two tables, once, and the old name readable', async () => {
    const schema = freshSchema();
    await previousTables(schema, { rebuiltThrough: true });
    const store = new SqlCheckpointStore(sql, schema);
    await store.migrate();

    expect(await store.load('relay')).toEqual(parsePosition('1700/1699'));
    expect(await store.load('replay')).toEqual(parsePosition('12/11'));
    const rows = await store.read(['sales.timeline', 'analytics.customer-metrics', 'relay']);
    expect(rows.get('sales.timeline')).toEqual({
      name: 'sales.timeline',
      position: parsePosition('1500/1499'),
      lastEventId: '11111111-1111-4111-8111-111111111111',
      eventsApplied: 420,
      rebuiltThrough: undefined,
    });
    expect(rows.get('analytics.customer-metrics')).toEqual({
      name: 'analytics.customer-metrics',
      position: undefined,
      lastEventId: '22222222-2222-4222-8222-222222222222',
      eventsApplied: 7,
      rebuiltThrough: parsePosition('900/899'),
    });
    expect(rows.get('relay')).toMatchObject({ eventsApplied: 0, lastEventId: undefined });
    const moved = await sql.query<{ updated_at: Date }>(`SELECT updated_at FROM ${schema}.checkpoints WHERE name = 'sales.timeline'`);
    expect(new Date(moved.rows[0].updated_at).toISOString()).toBe('2025-01-02T03:04:05.000Z');

    // The old table is gone (moved exactly once); its name is a view on the one table.
    const kinds = await sql.query<{ relname: string; relkind: string }>(
      `SELECT c.relname, c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') ORDER BY 1`,
      [schema],
    );
    expect(kinds.rows).toEqual([
      { relname: 'checkpoints', relkind: 'r' },
      { relname: 'projection_checkpoints', relkind: 'v' },
    ]);
    const old = await sql.query<{ n: number; last_position: string }>(
      `SELECT events_applied::int AS n, last_position FROM ${schema}.projection_checkpoints WHERE projection = $1`,
      ['sales.timeline'],
    );
    expect(old.rows).toEqual([{ n: 420, last_position: '1500/1499' }]);

    // Migrating again (every start) changes nothing and copies nothing twice.
    await store.save('relay', parsePosition('1800/1799'));
    await store.migrate();
    expect(await store.load('relay')).toEqual(parsePosition('1800/1799'));
    const count = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.checkpoints`);
    expect(count.rows[0].n).toBe(4);
  });

  it('adopts a projection table from before rebuild floors existed', async () => {
    const schema = freshSchema();
    await previousTables(schema);
    const store = new SqlCheckpointStore(sql, schema);
    await store.migrate();
    expect((await store.read(['sales.timeline'])).get('sales.timeline')).toMatchObject({ eventsApplied: 420, rebuiltThrough: undefined });
  });

  it('refuses to merge a relay and a projection of the same name, and leaves both tables as they were', async () => {
    const schema = freshSchema();
    await previousTables(schema);
    await sql.query(`INSERT INTO ${schema}.checkpoints (name, position) VALUES ('sales.timeline', '5/4')`);
    const store = new SqlCheckpointStore(sql, schema);
    await expect(store.migrate()).rejects.toThrow(/both hold a checkpoint named "sales.timeline"/);
    const old = await sql.query(`SELECT 1 FROM ${schema}.projection_checkpoints`);
    expect(old.rows).toHaveLength(2);
    const relay = await sql.query(`SELECT * FROM ${schema}.checkpoints WHERE name = 'sales.timeline'`);
    expect(relay.rows).toEqual([expect.objectContaining({ position: '5/4' })]);
    expect(Object.keys(relay.rows[0]).sort()).toEqual(['name', 'position', 'updated_at']);
  });

  it('creates the table on an empty database; several migrations at once agree', async () => {
    const schema = freshSchema();
    await Promise.all([0, 1, 2].map(() => new SqlCheckpointStore(sql, schema).migrate()));
    const store = new SqlCheckpointStore(sql, schema);
    expect(await store.load('relay')).toBeUndefined();
    expect((await sql.query(`SELECT * FROM ${schema}.projection_checkpoints`)).rows).toEqual([]);
  });

  it('advances: moves positions, keeps what a row does not state, adds applied counts; save and reset', async () => {
    const schema = freshSchema();
    const store = new SqlCheckpointStore(sql, schema);
    await store.migrate();
    await store.advance([
      { name: 'b', position: parsePosition('10/9'), lastEventId: '33333333-3333-4333-8333-333333333333', applied: 3 },
      { name: 'a', position: parsePosition('10/9'), applied: 1 },
    ]);
    await store.advance([{ name: 'b', applied: 2 }]);
    await store.advance([{ name: 'a', position: parsePosition('20/19') }]);
    const rows = await store.read(['a', 'b']);
    expect(rows.get('a')).toMatchObject({ position: parsePosition('20/19'), eventsApplied: 1, lastEventId: undefined });
    expect(rows.get('b')).toMatchObject({ position: parsePosition('10/9'), eventsApplied: 5, lastEventId: '33333333-3333-4333-8333-333333333333' });

    await store.markRebuilt(['b']);
    expect((await store.read(['b'])).get('b')?.rebuiltThrough).toEqual(parsePosition('10/9'));

    await store.save('relay', parsePosition('30/29'));
    await store.save('relay', parsePosition('31/30'));
    expect(await store.load('relay')).toEqual(parsePosition('31/30'));
    await store.reset(['a', 'b']);
    await store.reset('relay');
    expect((await store.read(['a', 'b', 'relay'])).size).toBe(0);
  });

  it('writes in the caller transaction: rolled back with it', async () => {
    const schema = freshSchema();
    const store = new SqlCheckpointStore(sql, schema);
    await store.migrate();
    await store.save('relay', parsePosition('1/0'));
    await expect(
      sql.transaction(async (tx) => {
        await store.save('relay', parsePosition('2/1'), tx);
        expect(await store.load('relay', tx)).toEqual(parsePosition('2/1'));
        throw new Error('the change it went with failed');
      }),
    ).rejects.toThrow('the change it went with failed');
    expect(await store.load('relay')).toEqual(parsePosition('1/0'));
  });
});
