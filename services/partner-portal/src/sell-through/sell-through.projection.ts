import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { cursorParts, decodeCursor, encodeCursor } from '@crm/relationship-read-models';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/**
 * The sales each distributor or reseller reported (issue 14 §6): one row per sell-through order
 * (OrderPlaced v2, source `sell-through`), keyed by the order, with the partner that reported it —
 * what `GET /sell-through` lists to that partner, and to no other. Ids, dates and amounts only:
 * nothing personal, so an erasure leaves nothing here to forget.
 */
@Entity({ name: 'sell_through_sales' })
@Index('sell_through_sales_partner_date', ['partnerId', 'orderDate', 'orderId'])
export class SellThroughSale {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** The partner's own invoice/line number. */
  @Column({ type: 'text', name: 'external_id' }) externalId!: string;
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  @Column({ type: 'timestamptz', name: 'placed_at' }) placedAt!: Date;
  @Column({ type: 'text' }) currency!: string;
  /** Minor units (bigint: the driver returns a string). */
  @Column({ type: 'bigint' }) total!: string;
  @Column({ type: 'integer', name: 'line_count' }) lineCount!: number;
}

export type SellThroughEvent = CrmIntegrationEvent<'OrderPlaced'>;

/** Keeps `sell_through_sales`: only orders a partner reported; a redelivery inserts nothing. */
export function sellThroughProjection(): Projection<SellThroughEvent> {
  return {
    name: 'partner-portal-sell-through',
    entities: [SellThroughSale],
    handles: ['OrderPlaced'],
    async apply(event, manager: EntityManager) {
      const d = event.data as SellThroughEvent['data'] & { partnerId?: string };
      if (d.source !== 'sell-through' || d.partnerId === undefined || d.externalId === undefined) return;
      await manager
        .createQueryBuilder()
        .insert()
        .into(SellThroughSale)
        .values({
          orderId: d.orderId,
          partnerId: d.partnerId,
          customerId: d.customerId,
          externalId: d.externalId,
          orderDate: new Date(d.orderDate),
          placedAt: new Date(d.placedAt),
          currency: d.currency,
          total: String(d.total),
          lineCount: d.lines.length,
        })
        .orIgnore()
        .execute();
    },
  };
}

export interface SellThroughListItem {
  orderId: string;
  externalId: string;
  customerId: string;
  orderDate: string;
  placedAt: string;
  currency: string;
  /** Minor units. */
  total: number;
  lineCount: number;
}

export interface SellThroughPage {
  items: SellThroughListItem[];
  /** Pass as `cursor` for the next page (same filters); absent on the last page. */
  nextCursor?: string;
}

export interface SellThroughSearch {
  partnerId: string;
  /** Order dates from (inclusive) … to (exclusive). */
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** `['sell-through', orderDate, orderId]`. */
const CURSOR = [
  cursorParts.list('sell-through'),
  cursorParts.text({ max: Number.POSITIVE_INFINITY, valid: (s) => !Number.isNaN(Date.parse(s)) }),
  cursorParts.text({ min: 1, max: 200 }),
] as const;

/** The caller's reported sales, newest order date first (ties by order id). Throws InvalidCursorError for a cursor not given out. */
export async function listSellThrough(manager: EntityManager, search: SellThroughSearch): Promise<SellThroughPage> {
  const table = manager.getRepository(SellThroughSale).metadata.tablePath;
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const where = ['partner_id = $1'];
  const params: unknown[] = [search.partnerId];
  if (search.from !== undefined) {
    params.push(new Date(search.from).toISOString());
    where.push(`order_date >= $${params.length}::timestamptz`);
  }
  if (search.to !== undefined) {
    params.push(new Date(search.to).toISOString());
    where.push(`order_date < $${params.length}::timestamptz`);
  }
  if (after) {
    params.push(new Date(after[1]).toISOString(), after[2]);
    where.push(`(order_date, order_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(search.limit + 1);
  const rows = (await manager.query(
    `SELECT order_id, external_id, customer_id, order_date, placed_at, currency, total, line_count
       FROM ${table} WHERE ${where.join(' AND ')}
      ORDER BY order_date DESC, order_id DESC LIMIT $${params.length}`,
    params,
  )) as {
    order_id: string;
    external_id: string;
    customer_id: string;
    order_date: Date;
    placed_at: Date;
    currency: string;
    total: string;
    line_count: number;
  }[];
  const items = rows.slice(0, search.limit).map((r) => ({
    orderId: r.order_id,
    externalId: r.external_id,
    customerId: r.customer_id,
    orderDate: new Date(r.order_date).toISOString(),
    placedAt: new Date(r.placed_at).toISOString(),
    currency: r.currency,
    total: Number(r.total),
    lineCount: r.line_count,
  }));
  const last = items[items.length - 1];
  return rows.length > search.limit && last ? { items, nextCursor: encodeCursor(['sell-through', last.orderDate, last.orderId]) } : { items };
}
