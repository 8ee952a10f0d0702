import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `service.returns`: the returns and repairs (issue 12 §5), one row per return (`GET /returns`, and
 * the returns `GET /cases/{id}` shows): whose, from which case, where it stands, its RMA number and
 * repair provider. No personal field of the return (serial number, fault) is kept here: the list
 * is for finding; `GET /returns/{id}` reads the return's own history. The table carries the read
 * model's version (`RETURN_LIST_VERSION`).
 */
@Entity({ name: 'returns_v1' })
@Index('returns_v1_requested', ['requestedAt', 'returnId'])
@Index('returns_v1_case', ['caseId'])
@Index('returns_v1_customer', ['customerId'])
@Index('returns_v1_status', ['status'])
@Index('returns_v1_rma', ['rmaNumber'])
export class ReturnListEntry {
  @PrimaryColumn({ type: 'text', name: 'return_id' }) returnId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** The case (episode) it was requested from. */
  @Column({ type: 'text', name: 'case_id' }) caseId!: string;
  @Column({ type: 'text', name: 'product_id' }) productId!: string;
  /** One of RETURN_STATUSES (derived as `returnStatus` derives it from the history). */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', name: 'rma_number', nullable: true }) rmaNumber!: string | null;
  @Column({ type: 'text', nullable: true }) warranty!: string | null;
  @Column({ type: 'boolean' }) denied!: boolean;
  /** Each leg's shipment state, by leg. */
  @Column({ type: 'jsonb' }) legs!: Record<string, string>;
  /** The provider the repair is with now, and where it stands. */
  @Column({ type: 'text', name: 'partner_id', nullable: true }) partnerId!: string | null;
  @Column({ type: 'text', name: 'repair_status', nullable: true }) repairStatus!: string | null;
  @Column({ type: 'timestamptz', name: 'requested_at' }) requestedAt!: Date;
  @Column({ type: 'timestamptz', name: 'last_activity_at' }) lastActivityAt!: Date;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
}

/**
 * The to-do list of the process that makes a case follow its return (`CaseFollowsReturn`): one row
 * per thing to do to the case, written by the returns projection in the same transaction as the
 * return's row, emptied by the process as it does them. A work table (not a function of the events
 * alone): a rebuild writes the to-dos again, and the process finds them done on the case itself.
 */
@Entity({ name: 'return_case_followups' })
export class ReturnCaseFollowUp {
  /** `<returnId>/repair-assigned/<partnerId>` or `<returnId>/closed`. */
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text', name: 'return_id' }) returnId!: string;
  @Column({ type: 'text', name: 'case_id' }) caseId!: string;
  /** `repair-assigned` (the case waits on the provider) or `closed` (the case may be resolved). */
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text', name: 'partner_id', nullable: true }) partnerId!: string | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'timestamptz', name: 'due_at' }) dueAt!: Date;
}
