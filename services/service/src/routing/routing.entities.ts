import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The router's read model (schema `service`): agents with their presence and idle time, cases that are
 * open with whom they are assigned to or offered to, the customers' value tiers, and every offer. The
 * router, `GET /agents`, `GET /teams`, `GET /routing/queue` and `GET /routing/offers` read it.
 */

@Entity({ name: 'routing_agent' })
export class RoutingAgentRow {
  @PrimaryColumn({ type: 'text', name: 'agent_id' }) agentId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'jsonb' }) teams!: string[];
  @Column({ type: 'jsonb' }) skills!: { skill: string; level: number }[];
  @Column({ type: 'integer' }) capacity!: number;
  @Column({ type: 'integer', name: 'hourly_cost', nullable: true }) hourlyCost!: number | null;
  @Column({ type: 'text', nullable: true }) currency!: string | null;
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ type: 'text' }) presence!: string;
  @Column({ type: 'timestamptz', name: 'presence_since', nullable: true }) presenceSince!: Date | null;
  /** The later of becoming available and the last case accepted: "longest idle" sorts by it. */
  @Column({ type: 'timestamptz', name: 'idle_since', nullable: true }) idleSince!: Date | null;
}

@Entity({ name: 'routing_case' })
@Index('routing_case_agent', ['agentId', 'status'])
@Index('routing_case_customer', ['customerId'])
@Index('routing_case_offer_expiry', ['offerExpiresAt'])
export class RoutingCaseRow {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** open, closed. */
  @Column({ type: 'text' }) status!: string;
  /** Assigned to (or accepted by, until the assignment is recorded); null: waiting. */
  @Column({ type: 'text', name: 'agent_id', nullable: true }) agentId!: string | null;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'text', nullable: true }) category!: string | null;
  @Column({ type: 'text', nullable: true }) severity!: string | null;
  @Column({ type: 'text', name: 'case_priority', nullable: true }) casePriority!: string | null;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  /** Since when it waits for an agent (opened, or reopened without an agent). */
  @Column({ type: 'timestamptz', name: 'waiting_since' }) waitingSince!: Date;
  @Column({ type: 'text', name: 'pending_offer_id', nullable: true }) pendingOfferId!: string | null;
  @Column({ type: 'text', name: 'pending_agent_id', nullable: true }) pendingAgentId!: string | null;
  @Column({ type: 'timestamptz', name: 'offer_expires_at', nullable: true }) offerExpiresAt!: Date | null;
  /** Agents who declined it or let its offer expire. */
  @Column({ type: 'jsonb', name: 'refused_by' }) refusedBy!: string[];
}

@Entity({ name: 'routing_customer_tier' })
export class RoutingCustomerTierRow {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) tier!: string;
}

@Entity({ name: 'routing_offer' })
@Index('routing_offer_agent', ['agentId', 'status'])
export class RoutingOfferRow {
  @PrimaryColumn({ type: 'text', name: 'offer_id' }) offerId!: string;
  @Column({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'agent_id' }) agentId!: string;
  @Column({ type: 'double precision' }) priority!: number;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'timestamptz', name: 'offered_at' }) offeredAt!: Date;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt!: Date;
  /** pending, accepted, declined, expired. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'timestamptz', name: 'settled_at', nullable: true }) settledAt!: Date | null;
}
