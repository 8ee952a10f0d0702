/**
 * node tools/run-ts.js services/analytics/src/purchases/purchase-occasions.bench.ts [customers=100000]
 *
 * How long the purchase occasions (one grouped query + the conversion) and RFM over them take on
 * the embedded platform (PGlite) for N customers with 5 orders each on average over two years, in
 * three currencies (EUR, USD and IDR with daily-changing rates for USD), with returns, cancellations
 * and merges. Rows are generated in SQL (generate_series), not through the projections: this
 * measures the read, not the load. Prints the figures; no thresholds (the run is not a test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, PlatformConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { createPlatform } from '@crm/platform';
import { CustomerMerge } from '@crm/relationship-read-models';
import { rfmInputs, scoreRfm, segmentCounts } from '../rfm/rfm-scoring';
import { ExchangeRateRow } from './exchange-rates.entities';
import { OrderPurchase, OrderReturn } from './purchase-history.entities';
import { loadPurchaseOccasions } from './purchase-occasions';

async function main(): Promise<void> {
  const customers = Number(process.argv[2] ?? 100_000);
  // The embedded platform (PGlite on disk, in a temporary folder), as analytics runs embedded.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-occasions-'));
  const platform = await createPlatform(loadConfig(PlatformConfig, { CRM_DATA_DIR: dataDir }), { registry: crmRegistry(), clientId: 'bench' });
  const ds = await platform.createDataSource([OrderPurchase, OrderReturn, ExchangeRateRow, CustomerMerge], { schema: 'analytics' });
  const m = ds.manager;
  let t = performance.now();
  // 5 orders per customer on average (1..9), over 2025–2026; every 10th in USD, every 50th in IDR; 2 % returned in half, 1 % cancelled.
  await m.query(`
    INSERT INTO analytics.order_purchases (order_id, customer_id, order_date, currency, total, refunded, status, line_count, source, cancelled_at)
    SELECT 'o-' || c || '-' || k, 'c-' || lpad(c::text, 7, '0'),
           timestamptz '2025-01-01' + ((c * 7919 + k * 104729) % 730) * interval '1 day' + ((c + k) % 86400) * interval '1 second',
           CASE WHEN (c + k) % 50 = 0 THEN 'IDR' WHEN (c + k) % 10 = 0 THEN 'USD' ELSE 'EUR' END,
           1000 + ((c * 31 + k * 17) % 100000), 0,
           CASE WHEN (c + k) % 100 = 0 THEN 'cancelled' ELSE 'placed' END, 1, 'import',
           CASE WHEN (c + k) % 100 = 0 THEN timestamptz '2026-06-01' ELSE NULL END
    FROM generate_series(1, ${customers}) c, generate_series(1, 9) k
    WHERE k <= 1 + (c % 9)`);
  await m.query(
    `UPDATE analytics.order_purchases SET refunded = total / 2, status = 'partially-returned' WHERE status = 'placed' AND hashtext(order_id) % 50 = 0`,
  );
  await m.query(
    `INSERT INTO analytics.order_returns (return_id, order_id, returned_at, amount) SELECT 'r-' || order_id, order_id, order_date + interval '10 days', refunded FROM analytics.order_purchases WHERE status = 'partially-returned'`,
  );
  await m.query(`
    INSERT INTO analytics.exchange_rates (reporting_currency, currency, effective_date, rate, set_by, set_at)
    SELECT 'EUR', 'USD', to_char(d, 'YYYY-MM-DD'), '0.8' || (5 + extract(doy from d)::int % 10)::text, 'bench', now()
    FROM generate_series(timestamptz '2024-12-01', timestamptz '2026-12-31', interval '1 day') d`);
  await m.query(`
    INSERT INTO analytics.customer_merges (merge_id, duplicate_id, survivor_id, merged_at, unmerged_at)
    SELECT 'm-' || c, 'c-' || lpad(c::text, 7, '0'), 'c-' || lpad((c + 1)::text, 7, '0'), timestamptz '2026-01-01', NULL
    FROM generate_series(1, ${customers}, 100) c`);
  const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM analytics.order_purchases`)) as { n: number }[];
  console.log(`generated ${customers} customers, ${n} orders in ${Math.round(performance.now() - t)} ms`);

  for (let run = 1; run <= 3; run++) {
    t = performance.now();
    const all = await loadPurchaseOccasions(m, { reportingCurrency: 'EUR' });
    const load = performance.now() - t;
    t = performance.now();
    const asOf = await loadPurchaseOccasions(m, { reportingCurrency: 'EUR', asOf: new Date('2026-06-30T00:00:00Z') });
    const loadAsOf = performance.now() - t;
    t = performance.now();
    const scores = scoreRfm(rfmInputs(all.occasions, '2026-12-31', 365));
    const rfm = performance.now() - t;
    t = performance.now();
    await loadPurchaseOccasions(m, { reportingCurrency: 'EUR', customerIds: ['c-0004242'] });
    const one = performance.now() - t;
    console.log(
      `run ${run}: loadPurchaseOccasions all ${Math.round(load)} ms (${all.occasions.length} occasions, unconverted ${all.unconverted.orders} orders ${all.unconverted.currencies.join(',')}); ` +
        `asOf ${Math.round(loadAsOf)} ms (${asOf.occasions.length}); RFM scoring ${Math.round(rfm)} ms (${scores.length} customers, champions ${segmentCounts(scores).champions}); one customer ${Math.round(one)} ms`,
    );
  }
  await platform.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
