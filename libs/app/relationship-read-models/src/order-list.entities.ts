import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The sales orders as a list shows them (sales' `GET /orders`): whose, when, how much (minor units of
 * `currency`), what is left of it (cancelled, returned), where it came from.
 */
@Entity({ name: 'order_list' })
@Index('order_list_date', ['orderDate', 'orderId'])
@Index('order_list_customer', ['customerId', 'orderDate'])
@Index('order_list_status', ['status', 'orderDate'])
export class OrderListEntry {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  @Column({ type: 'timestamptz', name: 'placed_at' }) placedAt!: Date;
  @Column({ type: 'text' }) currency!: string;
  /** Minor units (bigint: read back as text, the query turns it into a number). */
  @Column({ type: 'bigint' }) total!: string;
  /** Refunded by returns so far (minor units). */
  @Column({ type: 'bigint' }) refunded!: string;
  /** placed, partially-returned, returned, cancelled. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'integer', name: 'line_count' }) lineCount!: number;
  /** api, quote, import. */
  @Column({ type: 'text' }) source!: string;
  @Column({ type: 'text', name: 'external_id', nullable: true }) externalId!: string | null;
  @Column({ type: 'text', name: 'quote_id', nullable: true }) quoteId!: string | null;
  @Column({ type: 'text', name: 'opportunity_id', nullable: true }) opportunityId!: string | null;
}
