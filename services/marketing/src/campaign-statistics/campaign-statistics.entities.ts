import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `marketing.campaign-statistics` (schema `marketing`): per campaign what its statistics are
 * computed from — who was in the audience (and in the control group), each message's fate and the
 * responses to it, and the orders placed within the attribution window. Rows, not totals, so the
 * numbers are one pure function (`@crm/campaign-statistics`) of them.
 */
@Entity({ name: 'campaign_stats_campaigns' })
export class CampaignStatsCampaignRow {
  @PrimaryColumn({ type: 'text', name: 'campaign_id' }) campaignId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'integer', name: 'attribution_window_days' }) attributionWindowDays!: number;
  /** Cost per message, integer minor units of `currency` — also the currency revenue is counted in. */
  @Column({ type: 'bigint', name: 'cost_per_message', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) costPerMessage!: number;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'timestamptz', name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
}

@Entity({ name: 'campaign_stats_recipients' })
@Index('campaign_stats_recipients_customer', ['customerId'])
@Index('campaign_stats_recipients_episode', ['episodeId'])
export class CampaignStatsRecipientRow {
  @PrimaryColumn({ type: 'text', name: 'campaign_id' }) campaignId!: string;
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** The customer's campaign episode (derived from campaign and customer): where its responses are recorded. */
  @Column({ type: 'uuid', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'boolean' }) control!: boolean;
}

@Entity({ name: 'campaign_stats_messages' })
@Index('campaign_stats_messages_campaign', ['campaignId', 'customerId'])
@Index('campaign_stats_messages_open', ['openInteractionId'])
@Index('campaign_stats_messages_click', ['clickInteractionId'])
export class CampaignStatsMessageRow {
  @PrimaryColumn({ type: 'uuid', name: 'message_id' }) messageId!: string;
  @Column({ type: 'text', name: 'campaign_id' }) campaignId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'step_id' }) stepId!: string;
  @Column({ type: 'text', name: 'variant_id', nullable: true }) variantId!: string | null;
  /** pending (deferred, to be retried), suppressed, sent, bounced. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'timestamptz', name: 'sent_at', nullable: true }) sentAt!: Date | null;
  /** The derived ids the tracking routes record an open and a click under (tracking.controller.ts). */
  @Column({ type: 'uuid', name: 'open_interaction_id' }) openInteractionId!: string;
  @Column({ type: 'uuid', name: 'click_interaction_id' }) clickInteractionId!: string;
  @Column({ type: 'boolean', default: false }) opened!: boolean;
  @Column({ type: 'boolean', default: false }) clicked!: boolean;
  @Column({ type: 'boolean', default: false }) responded!: boolean;
}

/** An order of a recipient placed within a campaign's attribution window (from its start). */
@Entity({ name: 'campaign_stats_conversions' })
@Index('campaign_stats_conversions_order', ['orderId'])
export class CampaignStatsConversionRow {
  @PrimaryColumn({ type: 'text', name: 'campaign_id' }) campaignId!: string;
  @PrimaryColumn({ type: 'text', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'order_date' }) orderDate!: Date;
  /** The order's total, minus what was refunded; integer minor units of `currency`. */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) revenue!: number;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'boolean', default: false }) cancelled!: boolean;
}
