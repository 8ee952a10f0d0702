import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The leads as a list shows them and a search finds them (sales' `GET /leads`): who, from where,
 * status, owner (and the assignment rule that chose them), the score, when captured.
 */
@Entity({ name: 'lead_list' })
@Index('lead_list_captured', ['capturedAt', 'leadId'])
@Index('lead_list_sort_name', ['sortName', 'leadId'])
@Index('lead_list_status', ['status', 'capturedAt'])
@Index('lead_list_owner', ['owner', 'capturedAt'])
export class LeadListEntry {
  @PrimaryColumn({ type: 'text', name: 'lead_id' }) leadId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) company!: string | null;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) phone!: string | null;
  @Column({ type: 'text' }) source!: string;
  @Column({ type: 'text', name: 'external_id', nullable: true }) externalId!: string | null;
  @Column({ type: 'text', nullable: true }) country!: string | null;
  @Column({ type: 'text', nullable: true }) region!: string | null;
  /** new, qualified, disqualified, converted. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ type: 'text', name: 'assigned_by_rule', nullable: true }) assignedByRule!: string | null;
  /**
   * The score without its one time-dependent rule (a purchase within 90 days): the list adds that
   * part for the moment it is asked, from `timeline`, so it shows what `GET /leads/{id}` shows.
   */
  @Column({ type: 'integer', name: 'base_score' }) baseScore!: number;
  /** When they mean to buy (from the qualification). */
  @Column({ type: 'timestamptz', nullable: true }) timeline!: Date | null;
  @Column({ type: 'timestamptz', name: 'captured_at' }) capturedAt!: Date;
  @Column({ type: 'text', name: 'matching_customer_id', nullable: true }) matchingCustomerId!: string | null;
  @Column({ type: 'text', name: 'customer_id', nullable: true }) customerId!: string | null;
  /** Name, lower case, accents removed: the name order. */
  @Column({ type: 'text', name: 'sort_name' }) sortName!: string;
  /** Name, company and e-mail, lower case, accents removed: what `q` searches. */
  @Column({ type: 'text', name: 'search_text' }) searchText!: string;
}
