import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per case: the facts its SLA clock is computed from (folded from its episode events by
 * `evolveCaseFacts`), the notices the timer recorded, and when the next one falls due — the timer's
 * index (`next_notice_at`), written in the same transaction as the checkpoint, so a restart finds
 * everything that fell due while the service was down.
 */
@Entity({ name: 'case_service_levels' })
@Index(['nextNoticeAt'])
export class CaseServiceLevelRow {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  @Column({ type: 'jsonb' }) facts!: object;
  /** Notices recorded (`metric/cycle/kind`). */
  @Column({ type: 'jsonb', default: () => "'[]'" }) recorded!: string[];
  @Column({ type: 'text', name: 'policy_id' }) policyId!: string;
  @Column({ type: 'text' }) tier!: string;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'boolean' }) open!: boolean;
  /** The earliest warning or due time not recorded yet; null: nothing pending. */
  @Column({ type: 'timestamptz', name: 'next_notice_at', nullable: true }) nextNoticeAt!: Date | null;
}

/** Per case, metric and cycle: the clock as of the case's latest event (due time, state, paused time) — for attainment and lists. */
@Entity({ name: 'case_sla_clocks' })
@Index(['openedAt'])
export class CaseSlaClockRow {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @PrimaryColumn({ type: 'text' }) metric!: string;
  @PrimaryColumn({ type: 'integer' }) cycle!: number;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  @Column({ type: 'text' }) tier!: string;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'text' }) state!: string;
  @Column({ type: 'integer', name: 'target_minutes' }) targetMinutes!: number;
  @Column({ type: 'timestamptz', name: 'started_at' }) startedAt!: Date;
  @Column({ type: 'timestamptz', name: 'due_at', nullable: true }) dueAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'stopped_at', nullable: true }) stoppedAt!: Date | null;
  @Column({ type: 'boolean', nullable: true }) met!: boolean | null;
  @Column({ type: 'double precision', name: 'paused_minutes' }) pausedMinutes!: number;
}

/** A customer's value tier as analytics last recorded it (`CustomerValueTierChanged`). */
@Entity({ name: 'customer_value_tiers' })
export class CustomerValueTierRow {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) tier!: string;
}

/** The service-level configuration: `policies`, and `calendar:<id>` per business calendar. */
@Entity({ name: 'service_level_config' })
export class ServiceLevelConfigRow {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'jsonb' }) value!: object;
}

export const CASE_SERVICE_LEVEL_ENTITIES = [CaseServiceLevelRow, CaseSlaClockRow, CustomerValueTierRow, ServiceLevelConfigRow];
