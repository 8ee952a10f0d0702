import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The dated facts the propensity models read, one row per fact with its date, so that the features
 * of any customer "as of T" are a WHERE on dates (event sourcing makes T exact: a fact recorded after
 * T is simply not there yet). Kept by the `analytics.propensity-facts` projection.
 */

/** A customer and when analytics first heard of it (its registration event's time). */
@Entity({ name: 'propensity_customers' })
export class PropensityCustomer {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'registered_at' }) registeredAt!: Date;
}

/** A sales order: its date, and when it was cancelled (an order cancelled after T still stood at T). */
@Entity({ name: 'propensity_orders' })
@Index(['customerId', 'orderDate'])
export class PropensityOrder {
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  @Column({ type: 'timestamptz', name: 'cancelled_at', nullable: true }) cancelledAt!: Date | null;
}

/** An episode: its type (cases and complaints are `case` and `return-repair`), when it opened and how it closed. */
@Entity({ name: 'propensity_episodes' })
@Index(['customerId'])
export class PropensityEpisode {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'episode_type' }) episodeType!: string;
  /** A campaign's channel is its campaign type (email, sms, mail…). */
  @Column({ type: 'text', nullable: true }) channel!: string | null;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
}

/** An interaction with its channel, direction and who acted; episode type copied so that features need no join. */
@Entity({ name: 'propensity_interactions' })
@Index(['customerId', 'occurredAt'])
export class PropensityInteraction {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @PrimaryColumn({ type: 'text', name: 'interaction_id' }) interactionId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'episode_type' }) episodeType!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'text' }) direction!: string;
  @Column({ type: 'text', name: 'actor_kind' }) actorKind!: string;
  @Column({ type: 'timestamptz', name: 'occurred_at' }) occurredAt!: Date;
}

/**
 * A trained churn model with what it was trained on and how well it did on the hold-out. Not a
 * projection of events but derived from them: rebuilding the propensity facts empties it too (train
 * again after a rebuild).
 */
@Entity({ name: 'churn_models' })
export class ChurnModelRecord {
  @PrimaryGeneratedColumn({ type: 'integer' }) version!: number;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  /** The clock's time of training. */
  @Column({ type: 'timestamptz', name: 'trained_at' }) trainedAt!: Date;
  /** The training parameters (asOf, windowDays, holdOutShare, l2, seed). */
  @Column({ type: 'jsonb' }) parameters!: Record<string, unknown>;
  /** The fitted `LogisticModel` of @crm/customer-propensity. */
  @Column({ type: 'jsonb' }) model!: Record<string, unknown>;
  /** auc, training and hold-out sizes, churners in each. */
  @Column({ type: 'jsonb' }) evaluation!: Record<string, unknown>;
}

export const PROPENSITY_FACTS_ENTITIES = [PropensityCustomer, PropensityOrder, PropensityEpisode, PropensityInteraction, ChurnModelRecord];
