import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The purchase history analytical CRM works on (issue 11 builds RFM and lifetime value on it): one
 * row per sales order, from `OrderPlaced`, `OrderCancelled` and `OrderReturned`. Money stays in the
 * order's currency, in integer minor units (bigint columns; the driver returns them as strings).
 */
@Entity({ name: 'order_purchases' })
@Index(['customerId', 'orderDate'])
export class OrderPurchase {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** When the customer ordered (recency reads it). */
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'bigint' }) total!: string;
  /** What cancellations and returns took back. */
  @Column({ type: 'bigint', default: 0 }) refunded!: string;
  /** placed, partially-returned, returned or cancelled. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'integer', name: 'line_count' }) lineCount!: number;
  /** api, quote, import or sell-through. */
  @Column({ type: 'text' }) source!: string;
  /** Sell-through: the distributor or reseller that sold it (OrderPlaced v2), so a sale is attributed to it. */
  @Column({ type: 'text', name: 'partner_id', nullable: true }) partnerId!: string | null;
  @Column({ type: 'text', name: 'quote_id', nullable: true }) quoteId!: string | null;
  @Column({ type: 'text', name: 'opportunity_id', nullable: true }) opportunityId!: string | null;
  /** When it was cancelled (`asOf` counts the order until then); null on rows recorded before the column, read as "always cancelled". */
  @Column({ type: 'timestamptz', name: 'cancelled_at', nullable: true }) cancelledAt!: Date | null;
}

/** One return of an order: what it refunded and when, so a purchase history as of a date counts only the returns made by then. */
@Entity({ name: 'order_returns' })
@Index(['orderId'])
export class OrderReturn {
  @PrimaryColumn({ type: 'text', name: 'return_id' }) returnId!: string;
  @Column({ type: 'text', name: 'order_id' }) orderId!: string;
  @Column({ type: 'timestamptz', name: 'returned_at' }) returnedAt!: Date;
  /** Minor units of the order's currency. */
  @Column({ type: 'bigint' }) amount!: string;
}

export const PURCHASE_HISTORY_ENTITIES = [OrderPurchase, OrderReturn];
