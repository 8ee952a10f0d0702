import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The facts segment rules are judged on (schema `marketing`), one table per kind of fact, as
 * `compileRule` of `@crm/segments` reads them (`factsTables`). Kept by `marketing.segment-facts`.
 * Instants are `timestamptz`; money integer minor units (`bigint`, read back as numbers).
 */
const bigintAsNumber = { to: (v: number) => v, from: (v: string | number) => Number(v) };

@Entity({ name: 'segment_customers' })
export class SegmentCustomerRow {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ type: 'jsonb' }) tags!: string[];
  @Column({ type: 'timestamptz', name: 'registered_at' }) registeredAt!: Date;
  @Column({ type: 'text', name: 'journey_stage' }) journeyStage!: string;
  @Column({ type: 'text', name: 'relationship_phase' }) relationshipPhase!: string;
  @Column({ type: 'text', name: 'value_tier', nullable: true }) valueTier!: string | null;
  /** The churn-risk band analytics last recorded (`CustomerChurnRiskChanged`). */
  @Column({ type: 'text', name: 'churn_risk', nullable: true }) churnRisk!: string | null;
  /**
   * Merged into this survivor: its orders and interactions moved there; it matches no rule. Only the
   * merge's own survivor (a chain is followed by reading the survivor's row in turn).
   */
  @Column({ type: 'text', name: 'merged_into', nullable: true }) mergedInto!: string | null;
}

@Entity({ name: 'segment_orders' })
@Index('segment_orders_customer', ['customerId'])
export class SegmentOrderRow {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  /** The customer the order counts for now: the one it was recorded for, or the survivor of its merge. */
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /**
   * The customer `OrderPlaced` named, so an unmerge can move the order back. NULL on rows written
   * before the column existed: an unmerge leaves those where they are (a rebuild fills it).
   */
  @Column({ type: 'text', name: 'recorded_for', nullable: true }) recordedFor!: string | null;
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) total!: number;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) returned!: number;
  @Column({ type: 'boolean' }) cancelled!: boolean;
  @Column({ type: 'boolean', name: 'fully_returned' }) fullyReturned!: boolean;
}

/** One line of an order (an order without lines: one line `-` of no product with the order's total). */
@Entity({ name: 'segment_order_lines' })
@Index('segment_order_lines_product', ['productId'])
export class SegmentOrderLineRow {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @PrimaryColumn({ type: 'text', name: 'line_id' }) lineId!: string;
  @Column({ type: 'text', name: 'product_id', nullable: true }) productId!: string | null;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) total!: number;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) returned!: number;
}

/** An episode's type and campaign, for the interactions recorded on it. */
@Entity({ name: 'segment_episodes' })
export class SegmentEpisodeRow {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'episode_type' }) episodeType!: string;
  @Column({ type: 'text', name: 'campaign_id', nullable: true }) campaignId!: string | null;
}

@Entity({ name: 'segment_interactions' })
@Index('segment_interactions_customer', ['customerId', 'occurredAt'])
export class SegmentInteractionRow {
  @PrimaryColumn({ type: 'text', name: 'interaction_id' }) interactionId!: string;
  /** The customer the interaction counts for now: the one it was recorded for, or the survivor of its merge. */
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /**
   * The customer `InteractionRecorded` named, so an unmerge can move the interaction back. NULL on
   * rows written before the column existed: an unmerge leaves those where they are (a rebuild fills it).
   */
  @Column({ type: 'text', name: 'recorded_for', nullable: true }) recordedFor!: string | null;
  @Column({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'text' }) direction!: string;
  @Column({ type: 'text', name: 'episode_type', nullable: true }) episodeType!: string | null;
  @Column({ type: 'text', name: 'campaign_id', nullable: true }) campaignId!: string | null;
  @Column({ type: 'timestamptz', name: 'occurred_at' }) occurredAt!: Date;
}

@Entity({ name: 'segment_consents' })
export class SegmentConsentRow {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @PrimaryColumn({ type: 'text' }) channel!: string;
  @PrimaryColumn({ type: 'text' }) purpose!: string;
  /** granted, withdrawn. */
  @Column({ type: 'text' }) status!: string;
}

/**
 * The membership processor's inbox: customers whose facts changed since it last looked. `version`
 * grows with each change, so the processor clears only what it saw (a change meanwhile stays).
 * Written by the projection in the same transaction as the facts; emptied by the processor.
 */
@Entity({ name: 'segment_fact_changes' })
export class SegmentFactChangeRow {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) version!: number;
}
