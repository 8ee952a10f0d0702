import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PgSqlClient } from './pg-sql-client';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run this suite with `npm run test:infra`, which starts PostgreSQL');

async function until(check: () => boolean, what: string, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('PgSqlClient.listen', () => {
  let sql: PgSqlClient;
  let admin: Client;
  beforeAll(async () => {
    sql = new PgSqlClient({ connectionString: url, max: 2 });
    admin = new Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await sql.close();
  });

  it('delivers the payloads of its channel only, from any connection, and nothing after close', async () => {
    const channel = `Test_${randomUUID()}`; // quoted: case and dashes survive
    const payloads: string[] = [];
    const listener = await sql.listen(channel, (p) => payloads.push(p));
    await admin.query('SELECT pg_notify($1, $2)', [channel, 'one']);
    await admin.query('SELECT pg_notify($1, $2)', [`${channel}-other`, 'not mine']);
    await sql.query('SELECT pg_notify($1, $2)', [channel, '']);
    await until(() => payloads.length === 2, 'two notifications');
    expect(payloads).toEqual(['one', '']);
    await listener.close();
    await admin.query('SELECT pg_notify($1, $2)', [channel, 'late']);
    await new Promise((r) => setTimeout(r, 100));
    expect(payloads).toEqual(['one', '']);
  });

  it('reports a lost connection, reconnects with backoff, and listens again', async () => {
    const channel = `test_${randomUUID().replace(/-/g, '')}`;
    const payloads: string[] = [];
    const lost: unknown[] = [];
    let reconnected = 0;
    const listener = await sql.listen(channel, (p) => payloads.push(p), {
      onConnectionLost: (e) => lost.push(e),
      onReconnected: () => reconnected++,
      reconnectDelayMs: { min: 10, max: 200 },
    });
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
      expect(killed.rowCount).toBe(1);
      await until(() => reconnected === 1, 'the reconnection');
      expect(lost.length).toBeGreaterThanOrEqual(1);
      await admin.query('SELECT pg_notify($1, $2)', [channel, 'after']);
      await until(() => payloads.includes('after'), 'a notification on the new connection');
    } finally {
      await listener.close();
    }
    const left = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
    expect(left.rowCount).toBe(0);
  });

  it('rejects when the first connection cannot be made', async () => {
    const bad = new PgSqlClient({ connectionString: 'postgres://nobody:wrong@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    await expect(bad.listen('x', () => undefined)).rejects.toBeDefined();
    await bad.close();
  });
});
