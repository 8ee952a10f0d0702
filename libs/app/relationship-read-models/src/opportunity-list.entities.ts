import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The opportunities as sales lists them (`GET /opportunities`): pipeline and stage, amount and
 * currency, probability, expected close date, owner and team, open / won / lost.
 */
@Entity({ name: 'opportunity_list' })
@Index('opportunity_list_updated', ['updatedAt', 'episodeId'])
@Index('opportunity_list_close_date', ['expectedCloseDate', 'episodeId'])
@Index('opportunity_list_amount', ['currency', 'amount', 'episodeId'])
@Index('opportunity_list_owner', ['owner', 'status'])
@Index('opportunity_list_customer', ['customerId'])
export class OpportunityListEntry {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', name: 'pipeline_id' }) pipelineId!: string;
  @Column({ type: 'text' }) stage!: string;
  /** The stage's default win probability when the opportunity entered it. */
  @Column({ type: 'integer', name: 'stage_probability' }) stageProbability!: number;
  @Column({ type: 'integer', name: 'probability_override', nullable: true }) probabilityOverride!: number | null;
  /** The probability in force: the override, or the stage's default. */
  @Column({ type: 'integer' }) probability!: number;
  /** Integer minor units of `currency`. */
  @Column({ type: 'bigint', nullable: true }) amount!: string | null;
  @Column({ type: 'text', nullable: true }) currency!: string | null;
  /** `YYYY-MM-DD` (a calendar day: kept as text, so no time zone can move it). */
  @Column({ type: 'text', name: 'expected_close_date', nullable: true }) expectedCloseDate!: string | null;
  /** The staff user who owns it: whoever opened it, until it is given to someone. */
  @Column({ type: 'text' }) owner!: string;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'text', name: 'next_step', nullable: true }) nextStep!: string | null;
  @Column({ type: 'jsonb' }) competitors!: string[];
  /** open, won, lost. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', name: 'close_reason', nullable: true }) closeReason!: string | null;
  /** What a win was worth, as the closing recorded it. */
  @Column({ type: 'numeric', name: 'won_value', nullable: true }) wonValue!: string | null;
  @Column({ type: 'text', name: 'won_currency', nullable: true }) wonCurrency!: string | null;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  @Column({ type: 'timestamptz', name: 'stage_entered_at' }) stageEnteredAt!: Date;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
  /** When it last changed (a move, a change, an interaction, the closing). */
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'integer' }) interactions!: number;
}

/**
 * Each opportunity's reportable state (pipeline, stage, probability, amount, owner, team, status,
 * expected close date, what a win was worth and when it closed) over time: one row per version,
 * valid from when the store recorded the change that made it until the next one. The pipeline
 * report and the forecast read it `asOf` any instant — what they said then.
 */
@Entity({ name: 'opportunity_versions' })
@Index('opportunity_versions_valid', ['validFrom', 'validTo'])
export class OpportunityVersion {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @PrimaryColumn({ type: 'integer' }) version!: number;
  @Column({ type: 'timestamptz', name: 'valid_from' }) validFrom!: Date;
  /** Null: still in force. */
  @Column({ type: 'timestamptz', name: 'valid_to', nullable: true }) validTo!: Date | null;
  @Column({ type: 'text', name: 'pipeline_id' }) pipelineId!: string;
  @Column({ type: 'text' }) stage!: string;
  @Column({ type: 'integer' }) probability!: number;
  @Column({ type: 'bigint', nullable: true }) amount!: string | null;
  @Column({ type: 'text', nullable: true }) currency!: string | null;
  @Column({ type: 'text' }) owner!: string;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'text' }) status!: string;
  /** `YYYY-MM-DD`: where the forecast puts an open opportunity (null in versions recorded before it was kept: rebuild the read model). */
  @Column({ type: 'text', name: 'expected_close_date', nullable: true }) expectedCloseDate!: string | null;
  /** What a win was worth, as the closing recorded it (null: the amount). */
  @Column({ type: 'numeric', name: 'won_value', nullable: true }) wonValue!: string | null;
  @Column({ type: 'text', name: 'won_currency', nullable: true }) wonCurrency!: string | null;
  /** When it was closed: where the forecast puts a won opportunity. */
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
}
