import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { COPY_MIN_ROWS, insertRows, type BulkColumn } from './bulk-insert';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must be set: run with `npm run test:infra`');

const schema = `bulk_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

interface Row {
  id: string;
  n: string;
  at: string;
  label: string | null;
  flag: boolean;
  doc: unknown;
}
const columns: BulkColumn<keyof Row>[] = [
  { name: 'id', type: 'uuid' },
  { name: 'n', type: 'bigint' },
  { name: 'at', type: 'timestamptz' },
  { name: 'label', type: 'text' },
  { name: 'flag', type: 'boolean' },
  { name: 'doc', type: 'jsonb' },
];

/** Values that break naive COPY or JSON encodings: escapes, separators, quotes, non-ASCII, nesting. */
function tricky(i: number): Row {
  const labels = [null, '', 'tab\there', 'line\nbreak\r\n', 'back\\slash \\N \\t', 'quote "q" \'s\'', 'ünïcödé 👋', '\\.', 'plain'];
  return {
    id: randomUUID(),
    n: String(9_007_199_254_740_993n + BigInt(i)), // beyond a double's precision
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
    label: labels[i % labels.length],
    flag: i % 2 === 0,
    doc: { i, text: labels[(i + 3) % labels.length], list: [1, 'two', { three: [null, true] }], 'key\twith\\odd"chars': 'v' },
  };
}

describe('insertRows on PostgreSQL (COPY for large batches, one INSERT for small ones)', () => {
  let ds: DataSource;
  let copies: string[];
  const originalQuery = Client.prototype.query;

  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', url, extra: { max: 2 } });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA ${schema}`);
    await ds.query(
      `CREATE TABLE ${schema}.t (id uuid PRIMARY KEY, n bigint NOT NULL, at timestamptz NOT NULL, label text, flag boolean NOT NULL, doc jsonb NOT NULL)`,
    );
  });
  beforeEach(() => {
    copies = [];
    // Which way the rows went: the COPY stream is a query object with its statement as `text`.
    jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const q = args[0] as { text?: unknown };
      if (q && typeof q === 'object' && typeof q.text === 'string' && q.text.startsWith('COPY ')) copies.push(q.text);
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await ds.query(`TRUNCATE ${schema}.t`);
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await ds?.destroy();
  });

  const stored = async () =>
    (
      (await ds.query(`SELECT id::text AS id, n::text AS n, at, label, flag, doc FROM ${schema}.t ORDER BY n`)) as {
        id: string;
        n: string;
        at: Date;
        label: string | null;
        flag: boolean;
        doc: unknown;
      }[]
    ).map((r) => ({ ...r, at: r.at.toISOString() }));

  it.each([
    ['a large batch, through COPY', COPY_MIN_ROWS + 50, 1],
    ['a small batch, through one INSERT', COPY_MIN_ROWS - 1, 0],
  ])('stores %s exactly as given', async (_, count, expectedCopies) => {
    const rows = Array.from({ length: count }, (_, i) => tricky(i));
    await ds.transaction((m) => insertRows(m, `${schema}.t`, columns, rows));
    expect(copies).toHaveLength(expectedCopies);
    expect(await stored()).toEqual(rows);
  });

  it('fails the transaction on a broken row and leaves nothing; the connection serves the next transaction', async () => {
    const rows = Array.from({ length: COPY_MIN_ROWS + 10 }, (_, i) => tricky(i));
    rows[COPY_MIN_ROWS + 5] = { ...rows[COPY_MIN_ROWS + 5], id: rows[3].id }; // duplicate primary key
    await expect(ds.transaction((m) => insertRows(m, `${schema}.t`, columns, rows))).rejects.toMatchObject({ code: '23505' });
    expect(copies).toHaveLength(1);
    expect(await stored()).toEqual([]);

    const fine = Array.from({ length: COPY_MIN_ROWS }, (_, i) => tricky(i));
    await ds.transaction((m) => insertRows(m, `${schema}.t`, columns, fine));
    expect(await stored()).toHaveLength(COPY_MIN_ROWS);
  });

  it('rolls the COPY back with the rest of its transaction', async () => {
    const rows = Array.from({ length: COPY_MIN_ROWS }, (_, i) => tricky(i));
    await expect(
      ds.transaction(async (m) => {
        await insertRows(m, `${schema}.t`, columns, rows);
        throw new Error('a later statement of the batch failed');
      }),
    ).rejects.toThrow('a later statement');
    expect(await stored()).toEqual([]);
  });
});
