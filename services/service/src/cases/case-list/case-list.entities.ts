import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `service.cases`: the cases the contact centre works, one row per case (`GET /cases`): who it is
 * for, what it is about, where it is in the status machine, how urgent, which team and agent, and
 * when it was opened, last worked, resolved and closed. Kept by the projection in
 * case-list.projection.ts; a later read model (SLA state) joins it on `episode_id`. The table
 * carries the read model's version (`CASE_LIST_VERSION`): a new shape is a new table, built from
 * the store beside the old one under its own checkpoint.
 */
@Entity({ name: 'cases_v1' })
@Index('cases_v1_opened', ['openedAt', 'episodeId'])
@Index('cases_v1_last_activity', ['lastActivityAt', 'episodeId'])
@Index('cases_v1_status', ['status', 'team'])
@Index('cases_v1_assignee', ['assigneeId', 'status'])
@Index('cases_v1_customer', ['customerId'])
export class CaseListEntry {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) name!: string;
  /** The channel it came in on (null: cases opened before a channel was required). */
  @Column({ type: 'text', nullable: true }) channel!: string | null;
  /** One of CASE_STATUSES. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) priority!: string;
  /** The priority's rank (low 0 … urgent 3): what `sort=priority` orders by. */
  @Column({ type: 'integer', name: 'priority_rank' }) priorityRank!: number;
  @Column({ type: 'text' }) severity!: string;
  @Column({ type: 'text', nullable: true }) category!: string | null;
  @Column({ type: 'text', name: 'product_id', nullable: true }) productId!: string | null;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'text', name: 'assignee_id', nullable: true }) assigneeId!: string | null;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  /** The latest step of the case (opening, interaction, status move, assignment, change, resolution). */
  @Column({ type: 'timestamptz', name: 'last_activity_at' }) lastActivityAt!: Date;
  /** When it was last resolved (null while open, also after a reopening). */
  @Column({ type: 'timestamptz', name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
  /** The outcome of the last resolution: resolved or unresolved. */
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'integer', name: 'reopen_count' }) reopenCount!: number;
  @Column({ type: 'integer' }) interactions!: number;
}
