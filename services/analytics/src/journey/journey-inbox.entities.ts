import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Customers whose behaviour changed since their journey stage and relationship phase were last
 * derived: the process manager's to-do list. `version` grows with each new event, so the manager
 * clears a row only if nothing arrived while it was deriving.
 */
@Entity({ name: 'journey_pending' })
@Index(['markedAt'])
export class JourneyPending {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** When the latest event that marked it happened. */
  @Column({ type: 'timestamptz', name: 'marked_at' }) markedAt!: Date;
  @Column({ type: 'integer' }) version!: number;
}

/** When the process manager last marked every customer who bought (time alone moves some rules: a quiet year dissolves). */
@Entity({ name: 'journey_sweeps' })
export class JourneySweep {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'timestamptz', name: 'swept_at' }) sweptAt!: Date;
}

export const JOURNEY_INBOX_ENTITIES = [JourneyPending, JourneySweep];
