import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The quotes per opportunity and per customer (`GET /quotes`): current version, status, totals. */
@Entity({ name: 'quote_list' })
@Index('quote_list_customer', ['customerId', 'draftedAt', 'quoteId'])
@Index('quote_list_opportunity', ['opportunityId', 'draftedAt', 'quoteId'])
export class QuoteListEntry {
  @PrimaryColumn({ type: 'text', name: 'quote_id' }) quoteId!: string;
  @Column({ type: 'text', name: 'opportunity_id' }) opportunityId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** The current version. */
  @Column({ type: 'integer' }) version!: number;
  /** draft, awaiting-approval, discount-rejected, sent, accepted. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) currency!: string;
  /** Minor units, of the current version. */
  @Column({ type: 'bigint', name: 'net_total' }) netTotal!: string;
  @Column({ type: 'bigint', name: 'grand_total' }) grandTotal!: string;
  @Column({ type: 'date', name: 'quote_date' }) quoteDate!: string;
  @Column({ type: 'date', name: 'valid_until', nullable: true }) validUntil!: string | null;
  @Column({ type: 'text', name: 'prepared_by' }) preparedBy!: string;
  @Column({ type: 'timestamptz', name: 'drafted_at' }) draftedAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}
