import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { applyFolded, type FoldedRows } from './folded-rows';
import { OrderListEntry } from './order-list.entities';

/** The events the orders list keeps up with (published with the customer as subject). */
export type OrderListEvent = CrmIntegrationEvent<'OrderPlaced' | 'OrderCancelled' | 'OrderReturned'>;

const ORDER_LIST_TYPES: OrderListEvent['type'][] = ['OrderPlaced', 'OrderCancelled', 'OrderReturned'];

/** A row of the orders list, by column name (amounts as numbers: minor units are safe integers). */
export interface OrderRow {
  order_id: string;
  customer_id: string;
  order_date: string;
  placed_at: string;
  currency: string;
  total: number;
  refunded: number;
  status: string;
  line_count: number;
  source: string;
  external_id: string | null;
  quote_id: string | null;
  opportunity_id: string | null;
}

const iso = (value: string | Date) => new Date(value).toISOString();

/**
 * One event applied to an order's row. Pure: the batch and the one-by-one paths fold through it.
 * Throws for a change to an order the list does not have (the runner parks it and what follows).
 */
export function foldOrder(row: OrderRow | undefined, event: OrderListEvent): OrderRow {
  if (event.type === 'OrderPlaced') {
    if (row) return row; // delivered again
    const d = event.data;
    return {
      order_id: d.orderId,
      customer_id: d.customerId,
      order_date: iso(d.orderDate),
      placed_at: iso(d.placedAt),
      currency: d.currency,
      total: d.total,
      refunded: 0,
      status: 'placed',
      line_count: d.lines.length,
      source: d.source,
      external_id: d.externalId ?? null,
      quote_id: d.quoteId ?? null,
      opportunity_id: d.opportunityId ?? null,
    };
  }
  if (!row) throw new Error(`order ${event.data.orderId} is not in the orders list`);
  if (event.type === 'OrderCancelled') return { ...row, status: 'cancelled' };
  return { ...row, refunded: row.refunded + event.data.amount, status: event.data.fullyReturned ? 'returned' : 'partially-returned' };
}

const COLUMNS = 'order_id, customer_id, order_date, placed_at, currency, total, refunded, status, line_count, source, external_id, quote_id, opportunity_id';
const RECORD =
  'order_id text, customer_id text, order_date timestamptz, placed_at timestamptz, currency text, total bigint, refunded bigint, status text, line_count integer, source text, external_id text, quote_id text, opportunity_id text';

type StoredOrderRow = Omit<OrderRow, 'order_date' | 'placed_at' | 'total' | 'refunded'> & {
  order_date: Date | string;
  placed_at: Date | string;
  total: string | number;
  refunded: string | number;
};

/**
 * The orders list (sales): fed like every read model — from the bus (consumer group
 * `read-models.<service>`) or straight from the store (embedded) — through the `ProjectionRunner`.
 */
export function orderListProjection(owner: string): Projection<OrderListEvent> {
  const rows: FoldedRows<OrderListEvent, OrderRow, StoredOrderRow> = {
    table: (manager) => manager.getRepository(OrderListEntry).metadata.tablePath,
    key: 'order_id',
    columns: COLUMNS,
    record: RECORD,
    idOf: (e) => e.data.orderId,
    fromStored: (r) => ({ ...r, order_date: iso(r.order_date), placed_at: iso(r.placed_at), total: Number(r.total), refunded: Number(r.refunded) }),
    fold: foldOrder,
  };
  /** Each order of the batch read once, folded in order, written back in one statement. */
  const applyBatch = (events: readonly OrderListEvent[], manager: EntityManager) => applyFolded(rows, events, manager);
  return {
    name: `${owner}.order-list`,
    entities: [OrderListEntry],
    handles: ORDER_LIST_TYPES,
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
