/**
 * orders-import: the historical order import (`OrderImports.run`, what `POST /orders/import` and
 * `npm run import-orders` run) in CSV rows per second, against a raw `COPY` of the same CSV into a
 * plain table of text columns in the same database, in the same run.
 *
 * The CSV: 20,000 rows (4,000 with --quick) from a fixed seed — orders of 1 to 3 lines (a row per
 * line, the order's columns repeated), 1 customer per 20 orders, dates over three years, amounts in
 * EUR, IDR and JPY. The import runs on the write side the services run (contract check, personal
 * data sealed, the CRM's metadata rule) on a fresh event store: it registers the customers by external
 * id and places every order (one append each; one import record every 1,000 rows). Then the same
 * file again: every order found, nothing new (idempotence), reported as its own figure. The read
 * models are not part of it (they follow the store afterwards, as in the services).
 *
 * The baseline is what the database alone does with the same bytes: `COPY … FROM STDIN (FORMAT csv,
 * HEADER)` into an unindexed table (PGlite: `COPY … FROM '/dev/blob'`). No goal: the ratio says what
 * one command per order (customer lookup, decision, contract check, one append) costs against a bulk
 * load that checks nothing.
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import pg from 'pg';
import { crmRegistry } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { systemClock } from '@crm/kernel';
import { PersonalData, PersonalDataKeys, withPersonalData } from '@crm/personal-data';
import { crmEventStore } from '@crm/platform';
import { contractCheckedStore, createRelationshipCommands, type OrderImportView } from '@crm/relationship-api';
import type { StaffPrincipal } from '@crm/service-kit';
import type { SqlClient } from '@crm/sql';
import { PgliteSession, PgSqlClient } from '@crm/sql-clients';
import { round, uniqueSchema, type BenchContext, type BenchModule, type Figure } from './kit';

export const ordersImportBench: BenchModule = {
  name: 'orders-import',
  description: 'historical order CSV import (rows/s, through the order commands) vs a raw COPY of the same CSV into a plain table',
  run,
};

const HEADER = 'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice';
const CURRENCIES = [
  { code: 'EUR', exponent: 2 },
  { code: 'IDR', exponent: 2 },
  { code: 'JPY', exponent: 0 },
];

/** Small deterministic PRNG (the same file every run). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const decimal = (minor: number, exponent: number) =>
  exponent === 0 ? String(minor) : `${Math.floor(minor / 10 ** exponent)}.${String(minor % 10 ** exponent).padStart(exponent, '0')}`;

/** The CSV, and how many orders and customers it holds. */
export function generateOrdersCsv(rows: number, seed = 20260301): { csv: string; orders: number; customers: number } {
  const rnd = mulberry32(seed);
  const lines = [HEADER];
  let orders = 0;
  const customers = Math.max(1, Math.ceil(rows / 40));
  const day0 = Date.UTC(2023, 0, 1);
  while (lines.length - 1 < rows) {
    const n = Math.min(1 + Math.floor(rnd() * 3), rows - (lines.length - 1));
    const currency = CURRENCIES[Math.floor(rnd() * CURRENCIES.length)];
    const items = Array.from({ length: n }, (_, i) => ({
      product: `P${Math.floor(rnd() * 500)}-${i}`,
      quantity: 1 + Math.floor(rnd() * 5),
      unit: 100 + Math.floor(rnd() * 500_000),
    }));
    const total = items.reduce((s, it) => s + it.quantity * it.unit, 0);
    const date = new Date(day0 + Math.floor(rnd() * 3 * 365) * 86_400_000).toISOString().slice(0, 10);
    const customer = `C-${Math.floor(rnd() * customers)}`;
    for (const it of items)
      lines.push(
        [customer, `SO-${orders}`, date, decimal(total, currency.exponent), currency.code, it.product, it.quantity, decimal(it.unit, currency.exponent)].join(
          ',',
        ),
      );
    orders += 1;
  }
  return { csv: `${lines.join('\n')}\n`, orders, customers };
}

interface Database {
  name: 'pglite' | 'postgres';
  label: string;
  sql: SqlClient;
  /** A raw COPY of `csv` into `table` (FORMAT csv, HEADER). */
  copy(table: string, csv: string): Promise<void>;
}

async function* databases(ctx: BenchContext, schema: string): AsyncGenerator<Database> {
  const session = await PgliteSession.open();
  try {
    yield {
      name: 'pglite',
      label: 'embedded PGlite (in memory)',
      sql: session.sqlClient(),
      async copy(table, csv) {
        await session.db.query(`COPY ${table} FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, [], { blob: new Blob([csv]) });
      },
    };
  } finally {
    await session.close();
  }
  if (!ctx.databaseUrl) return;
  const sql = new PgSqlClient({ connectionString: ctx.databaseUrl, max: 4 });
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    yield {
      name: 'postgres',
      label: `PostgreSQL server (${new URL(ctx.databaseUrl).host})`,
      sql,
      copy: (table, csv) => copyFromStdin(client, `COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`, Buffer.from(csv)),
    };
  } finally {
    for (const s of [schema, `${schema}_es`, `${schema}_pl`]) await sql.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
    await client.end();
    await sql.close();
  }
}

/**
 * `COPY … FROM STDIN` over node-postgres's own connection (the copy sub-protocol, as pg-copy-streams
 * speaks it): the data in 64 kB CopyData messages, then CopyDone.
 */
function copyFromStdin(client: pg.Client, text: string, data: Buffer): Promise<void> {
  type Connection = { query(text: string): void; sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void };
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const submittable = {
      submit: (connection: Connection) => connection.query(text),
      handleCopyInResponse: (connection: Connection) => {
        for (let i = 0; i < data.length; i += 65_536) connection.sendCopyFromChunk(data.subarray(i, i + 65_536));
        connection.endCopyFrom();
      },
      handleCommandComplete: () => undefined,
      handleError: (error: Error) => {
        failure = error;
      },
      handleReadyForQuery: () => (failure ? reject(failure) : resolve()),
    };
    client.query(submittable as unknown as pg.QueryConfig);
  });
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const rows = ctx.quick ? 4_000 : 20_000;
  const { csv, orders, customers } = generateOrdersCsv(rows);
  ctx.log(
    `${rows.toLocaleString('en-US')} rows: ${orders.toLocaleString('en-US')} orders of ${customers.toLocaleString('en-US')} customers, ${(csv.length / 1_048_576).toFixed(1)} MB`,
  );
  const registry = crmRegistry();
  const principal: StaffPrincipal = { kind: 'staff', subject: 'bench', department: 'sales', roles: ['manager'] };
  const schema = uniqueSchema('bench_oi');
  for await (const db of databases(ctx, schema)) {
    const es = new PostgresEventStore(db.sql, { schema: `${schema}_es` });
    await es.migrate();
    const personalData = new PersonalData(new PersonalDataKeys(`${schema}_pl`));
    await personalData.keys.migrate(db.sql);
    // The write side the services run: the CRM's metadata rule, personal fields sealed, contracts checked.
    const store = contractCheckedStore(withPersonalData(crmEventStore(es), personalData, db.sql), registry);
    const commands = createRelationshipCommands(store, { clock: systemClock, retries: 2 });
    const chunks = () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < csv.length; i += 65_536) yield Buffer.from(csv.slice(i, i + 65_536));
        })(),
      );
    const timed = async (): Promise<{ view: OrderImportView; seconds: number }> => {
      const t0 = performance.now();
      const view = await commands.orderImports.run(principal, chunks(), { system: 'bench' });
      return { view, seconds: (performance.now() - t0) / 1000 };
    };

    const first = await timed();
    const c = first.view.counts;
    if (c.created !== orders || c.failedLines !== 0 || c.customersCreated < 1 || c.customersCreated > customers)
      throw new Error(`the import did not do the work measured: ${JSON.stringify(c)} (expected ${orders} orders, ${customers} customers at most)`);
    const again = await timed();
    if (again.view.counts.created !== 0 || again.view.counts.existing !== orders)
      throw new Error(`the second import was not idempotent: ${JSON.stringify(again.view.counts)}`);

    await db.sql.exec(
      `CREATE SCHEMA IF NOT EXISTS ${schema}; CREATE TABLE ${schema}.orders_copy (customer_external_id text, order_id text, order_date text, amount text, currency text, product_id text, quantity text, unit_price text)`,
    );
    // The baseline, three times (the best counts: a bulk load has no warm-up to amortise), the table emptied in between.
    let copySeconds = Infinity;
    for (let i = 0; i < 3; i++) {
      await db.sql.exec(`TRUNCATE ${schema}.orders_copy`);
      const t0 = performance.now();
      await db.copy(`${schema}.orders_copy`, csv);
      copySeconds = Math.min(copySeconds, (performance.now() - t0) / 1000);
    }
    const copied = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.orders_copy`);
    if (Number(copied.rows[0].n) !== rows) throw new Error(`COPY loaded ${copied.rows[0].n} rows, not ${rows}`);

    const copyRate = rows / copySeconds;
    const importRate = rows / first.seconds;
    ctx.log(
      `${db.label}: import ${first.seconds.toFixed(1)} s (${c.created} orders, ${c.customersCreated} customers registered), again ${again.seconds.toFixed(1)} s, COPY ${(copySeconds * 1000).toFixed(0)} ms: COPY loads the same rows ${Math.round(copyRate / importRate).toLocaleString('en-US')}× faster`,
    );
    figures.push(
      ctx.report({
        name: `orders-import.rows-per-second.${db.name}`,
        unit: 'rows/s',
        value: round(importRate, 1),
        baseline: { name: 'raw COPY of the same CSV into a plain table', value: round(copyRate, 1) },
        details: {
          rows,
          orders,
          customers: c.customersCreated,
          seconds: round(first.seconds, 2),
          copySeconds: round(copySeconds, 4),
          ordersPerSecond: round(orders / first.seconds, 1),
          // The printed ratio has two decimals (0.00 here): this is the same comparison the other way round.
          copyTimesFaster: round(copyRate / importRate, 0),
        },
      }),
      ctx.report({
        name: `orders-import.again-rows-per-second.${db.name}`,
        unit: 'rows/s',
        value: round(rows / again.seconds, 1),
        baseline: { name: 'raw COPY of the same CSV into a plain table', value: round(copyRate, 1) },
        details: { rows, existing: again.view.counts.existing, seconds: round(again.seconds, 2) },
      }),
    );
  }
  return figures;
}
