import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One line of a sales order, for the product association rules: the order is the basket. Lines of
 * cancelled orders are kept, flagged, so a cancellation is one update and a rebuild gives the same.
 */
@Entity({ name: 'cross_sell_order_lines' })
@Index(['customerId'])
@Index(['productId'])
export class CrossSellOrderLine {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @PrimaryColumn({ type: 'text', name: 'line_id' }) lineId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'product_id' }) productId!: string;
  @Column({ type: 'text', name: 'product_name', nullable: true }) productName!: string | null;
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  @Column({ type: 'boolean', default: false }) cancelled!: boolean;
}

export const ORDER_LINES_ENTITIES = [CrossSellOrderLine];
