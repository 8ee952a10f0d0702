import type { EntityManager } from 'typeorm';
import { cursorParts, decodeCursor, encodeCursor, keysetAfter } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';
import { OrderListEntry } from './order-list.entities';

export interface OrderSearch {
  /** Orders of any of these customers (a survivor and the customers merged into it). */
  customerIds?: readonly string[];
  /** Ordered at or after. */
  from?: Date;
  /** Ordered before. */
  to?: Date;
  /** Any of these statuses. */
  statuses?: readonly string[];
  limit: number;
  cursor?: string;
}

export interface OrderListItem {
  orderId: string;
  customerId: string;
  orderDate: string;
  placedAt: string;
  currency: string;
  /** Minor units of `currency`. */
  total: number;
  /** Refunded by returns so far (minor units). */
  refunded: number;
  status: string;
  lineCount: number;
  source: string;
  externalId: string | null;
  quoteId: string | null;
  opportunityId: string | null;
}

export interface OrderListPage {
  items: OrderListItem[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Microseconds, as PostgreSQL keeps them: the key the order is compared on. */
const DATE_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** `['orders', orderDate, orderId]`. */
const CURSOR = [
  cursorParts.list('orders'),
  cursorParts.text({ pattern: DATE_KEY, max: Number.POSITIVE_INFINITY }),
  cursorParts.text({ min: 1, max: 200 }),
] as const;

/**
 * The orders that match, newest order date first (ties by order id), one page at a time (keyset
 * paging: a page never shifts when orders are placed meanwhile).
 */
export async function searchOrders(manager: EntityManager, search: OrderSearch): Promise<OrderListPage> {
  const table = manager.getRepository(OrderListEntry).metadata.tablePath;
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const { params, p } = sqlParameters();
  const key = `to_char(o.order_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  const where: string[] = [];
  if (search.customerIds) where.push(`o.customer_id = ANY(${p([...search.customerIds])}::text[])`);
  if (search.statuses?.length) where.push(`o.status = ANY(${p([...search.statuses])}::text[])`);
  if (search.from) where.push(`o.order_date >= ${p(search.from.toISOString())}::timestamptz`);
  if (search.to) where.push(`o.order_date < ${p(search.to.toISOString())}::timestamptz`);
  if (after) {
    const [, afterDate, afterId] = after;
    const at = p(afterDate);
    where.push(keysetAfter({ expr: key, desc: true }, 'o.order_id', at, p(afterId)));
  }
  const rows = (await manager.query(
    `SELECT o.order_id, o.customer_id, o.order_date, o.placed_at, o.currency, o.total, o.refunded, o.status, o.line_count, o.source,
            o.external_id, o.quote_id, o.opportunity_id, ${key} AS sort_key
     FROM ${table} o
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY o.order_date DESC, o.order_id ASC
     LIMIT ${p(search.limit + 1)}`,
    params,
  )) as {
    order_id: string;
    customer_id: string;
    order_date: Date | string;
    placed_at: Date | string;
    currency: string;
    total: string | number;
    refunded: string | number;
    status: string;
    line_count: number;
    source: string;
    external_id: string | null;
    quote_id: string | null;
    opportunity_id: string | null;
    sort_key: string;
  }[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      orderId: r.order_id,
      customerId: r.customer_id,
      orderDate: new Date(r.order_date).toISOString(),
      placedAt: new Date(r.placed_at).toISOString(),
      currency: r.currency,
      total: Number(r.total),
      refunded: Number(r.refunded),
      status: r.status,
      lineCount: Number(r.line_count),
      source: r.source,
      externalId: r.external_id,
      quoteId: r.quote_id,
      opportunityId: r.opportunity_id,
    })),
    ...(rows.length > search.limit && last && { nextCursor: encodeCursor(['orders', last.sort_key, last.order_id]) }),
  };
}
