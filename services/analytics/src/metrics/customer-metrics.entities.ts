import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Per customer: interactions by channel and by department, and the inputs of RFM — the last
 * purchase (recency), the number of purchases (frequency) and the money spent (monetary). A purchase
 * is an opportunity or a partner deal closed as won; its value is summed as recorded (one currency
 * is assumed across the company).
 */
@Entity({ name: 'customer_metrics' })
export class CustomerMetrics {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'integer', name: 'interactions_total', default: 0 }) interactionsTotal!: number;
  /** `{ phone: 3, email: 1 }` */
  @Column({ type: 'jsonb', name: 'interactions_by_channel', default: () => `'{}'::jsonb` }) interactionsByChannel!: Record<string, number>;
  /** By the department owning the episode, or `partner:<partnerId>` for a partner's episode. */
  @Column({ type: 'jsonb', name: 'interactions_by_department', default: () => `'{}'::jsonb` }) interactionsByDepartment!: Record<string, number>;
  @Column({ type: 'timestamptz', name: 'last_interaction_at', nullable: true }) lastInteractionAt!: Date | null;
  @Column({ type: 'integer', name: 'won_count', default: 0 }) wonCount!: number;
  /** numeric: exact sums; the driver returns it as a string. */
  @Column({ type: 'numeric', name: 'won_value', default: 0 }) wonValue!: string;
  /** closedAt of the latest won opportunity or partner deal. */
  @Column({ type: 'timestamptz', name: 'last_purchase_at', nullable: true }) lastPurchaseAt!: Date | null;
}

/** Who owns each episode: InteractionRecorded and EpisodeClosed do not say, EpisodeOpened does. */
@Entity({ name: 'episode_owners' })
export class EpisodeOwner {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'episode_type' }) episodeType!: string;
  /** A department (`sales`, `service`…) or `partner:<partnerId>`. */
  @Column({ type: 'text' }) owner!: string;
}

/** Each purchase (won opportunity or partner deal), for frequency and monetary value over a period. */
@Entity({ name: 'customer_purchases' })
@Index(['customerId', 'closedAt'])
export class CustomerPurchase {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'closed_at' }) closedAt!: Date;
  @Column({ type: 'numeric' }) value!: string;
  @Column({ type: 'text', nullable: true }) currency!: string | null;
  @Column({ type: 'text', name: 'episode_type' }) episodeType!: string;
}

export const CUSTOMER_METRICS_ENTITIES = [CustomerMetrics, EpisodeOwner, CustomerPurchase];
