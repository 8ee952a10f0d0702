import { convertOn } from '@crm/relationship';
import { CustomerMerge } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { loadExchangeRates } from './exchange-rates.projection';
import { OrderPurchase, OrderReturn } from './purchase-history.entities';

/**
 * Purchase occasions: the purchase history the analytical models read (RFM, BG/NBD, Gamma-Gamma,
 * journey stages), in one reporting currency. Several orders of a customer on one (UTC) day are one
 * purchase occasion, as in the literature (Fader, Hardie & Lee 2005 count "transactions" per day).
 * The rules are in docs/analytics.md ("Purchase occasions and the reporting currency").
 */
export interface PurchaseOccasion {
  customerId: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** Net (orders' totals − their returns), integer minor units of the reporting currency. */
  amount: number;
  /** Orders on that day that count (converted, not cancelled, not returned in full). */
  orders: number;
}

export interface PurchaseOccasionsResult {
  reportingCurrency: string;
  /** By customer, then day. */
  occasions: PurchaseOccasion[];
  /** Orders left out because no rate of their currency to the reporting currency was in force on their day — never added raw. */
  unconverted: { orders: number; currencies: string[] };
}

export interface PurchaseOccasionsOptions {
  /** The history as it stood at this instant (now when absent): orders dated by then, not cancelled by then, net of the returns made by then. */
  asOf?: Date;
  /** Only these customers (survivor ids: a merged customer's orders are its survivor's). */
  customerIds?: string[];
  /** Only orders dated at or after this instant (a model's calibration or RFM period). */
  from?: Date;
  /** The currency to convert into; `CRM_REPORTING_CURRENCY` (EUR unless set) when absent. */
  reportingCurrency?: string;
}

/** Merge chains are short (each merge needs a live survivor); this only guards against bad data, as customer-merges.query.ts does. */
const MAX_MERGE_DEPTH = 50;

interface OrderGroup {
  customerId: string;
  day: string;
  currency: string;
  /** bigint as text. */
  net: string;
  orders: number;
}

// Groups travel as text: one row per bucket of customers, fields and groups split by the ASCII unit
// and record separators. Reading half a million groups as rows costs the embedded database several
// times more than the grouping itself; a few long strings cost little (measured: docs/analytics.md).
const FIELD = '\x1f';
const RECORD = '\x1e';
const BUCKETS = 64;

/**
 * Every customer's purchase occasions in the reporting currency. The database groups the orders by
 * (survivor, day, currency) in one statement; each group's net is then converted with the domain's
 * one rule (`convertOn` of `@crm/relationship`: the rate in force on that day, exact, rounded once
 * half away from zero to the reporting currency's minor unit), and a day's groups are added.
 */
export async function loadPurchaseOccasions(m: EntityManager, opts: PurchaseOccasionsOptions = {}): Promise<PurchaseOccasionsResult> {
  const reportingCurrency = opts.reportingCurrency ?? process.env.CRM_REPORTING_CURRENCY ?? 'EUR';
  const groups = await groupedOrders(m, opts);
  const rates = await loadExchangeRates(m, reportingCurrency);
  const occasions: PurchaseOccasion[] = [];
  const unconvertedCurrencies = new Set<string>();
  let unconvertedOrders = 0;
  for (const g of groups) {
    // The reporting currency itself needs no rate (and no bigint on the way).
    const amount = g.currency === reportingCurrency ? Number(g.net) : convertOn(rates, BigInt(g.net), g.currency, reportingCurrency, g.day);
    if (amount === undefined) {
      unconvertedOrders += g.orders;
      unconvertedCurrencies.add(g.currency);
      continue;
    }
    // Groups come by customer, day, currency: a day's currencies are adjacent.
    const last = occasions[occasions.length - 1];
    if (last && last.customerId === g.customerId && last.day === g.day) {
      last.amount += Number(amount);
      last.orders += g.orders;
    } else occasions.push({ customerId: g.customerId, day: g.day, amount: Number(amount), orders: g.orders });
  }
  return { reportingCurrency, occasions, unconverted: { orders: unconvertedOrders, currencies: [...unconvertedCurrencies].sort() } };
}

/** Orders that count, by survivor, UTC day and currency, with their net in minor units of that currency. */
async function groupedOrders(m: EntityManager, opts: PurchaseOccasionsOptions): Promise<OrderGroup[]> {
  const orders = m.getRepository(OrderPurchase).metadata.tablePath;
  const returns = m.getRepository(OrderReturn).metadata.tablePath;
  const merges = m.getRepository(CustomerMerge).metadata.tablePath;
  const params: unknown[] = [MAX_MERGE_DEPTH];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const asOf = opts.asOf ? param(opts.asOf.toISOString()) : undefined;
  // Merges in force at asOf (now when absent), as customer-merges.query.ts reads them.
  const mergeInForce = asOf ? `m.merged_at <= ${asOf} AND (m.unmerged_at IS NULL OR m.unmerged_at > ${asOf})` : 'm.unmerged_at IS NULL';
  // As of a date, a cancellation counts from its own date and a return from its own; now, the row's totals say it all.
  const refunds = asOf ? `COALESCE(r.refunded, 0)` : 'o.refunded';
  const returnsJoin = asOf
    ? `LEFT JOIN (SELECT order_id, SUM(amount) AS refunded FROM ${returns} WHERE returned_at <= ${asOf} GROUP BY order_id) r ON r.order_id = o.order_id`
    : '';
  const where = [
    asOf ? `NOT (o.status = 'cancelled' AND (o.cancelled_at IS NULL OR o.cancelled_at <= ${asOf}))` : `o.status <> 'cancelled'`,
    ...(asOf ? [`o.order_date <= ${asOf}`] : []),
    ...(opts.from ? [`o.order_date >= ${param(opts.from.toISOString())}`] : []),
  ];
  const wanted = opts.customerIds ? param(opts.customerIds) : undefined;
  // Some customers only: their orders and those of the customers merged into them, found through the customer index.
  if (wanted) where.push(`o.customer_id IN (SELECT unnest(${wanted}::text[]) UNION SELECT id FROM survivors WHERE survivor = ANY(${wanted}::text[]))`);
  const only = wanted ? `WHERE customer_id = ANY(${wanted}::text[])` : '';
  const sql = `
    WITH RECURSIVE links AS (
      SELECT m.duplicate_id, m.survivor_id FROM ${merges} m WHERE ${mergeInForce}
    ), chain(id, survivor, depth) AS (
      SELECT duplicate_id, survivor_id, 1 FROM links
      UNION ALL
      SELECT c.id, l.survivor_id, c.depth + 1 FROM chain c JOIN links l ON l.duplicate_id = c.survivor WHERE c.depth < $1
    ), survivors AS (
      SELECT DISTINCT ON (id) id, survivor FROM chain ORDER BY id, depth DESC
    ), counted AS (
      SELECT COALESCE(s.survivor, o.customer_id) AS customer_id, o.order_date, o.currency, o.total - ${refunds} AS net
      FROM ${orders} o
      LEFT JOIN survivors s ON s.id = o.customer_id
      ${returnsJoin}
      WHERE ${where.join(' AND ')}
    ), grouped AS (
      SELECT customer_id, (order_date AT TIME ZONE 'UTC')::date AS day, currency, SUM(net) AS net, COUNT(*) AS orders
      FROM counted
      ${only ? `${only} AND net > 0` : 'WHERE net > 0'}
      GROUP BY 1, 2, 3
    )
    SELECT string_agg(customer_id || chr(31) || to_char(day, 'YYYY-MM-DD') || chr(31) || currency || chr(31) || net || chr(31) || orders, chr(30)) AS groups
    FROM grouped
    GROUP BY abs(hashtext(customer_id)) % ${BUCKETS}`;
  let lines: string[] = [];
  for (const row of (await m.query(sql, params)) as { groups: string | null }[]) if (row.groups) lines = lines.concat(row.groups.split(RECORD));
  // customer, day, currency: the unit separator sorts below every character of an id, so a shorter id comes first, as in a string comparison.
  lines.sort();
  return lines.map((line) => {
    const [customerId, day, currency, net, orders] = line.split(FIELD);
    return { customerId, day, currency, net, orders: Number(orders) };
  });
}
