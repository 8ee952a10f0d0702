import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Marketing's segments (schema `marketing`), kept by `marketing.segments`: each segment's current
 * definition (`GET /segments`, the membership processor's list of active segments) and every stay of
 * a customer in a segment, from its `SegmentEntered` to its `SegmentLeft` (`GET /segments/{id}/members`,
 * now or `asOf` an instant; `SegmentAudience`).
 */
@Entity({ name: 'segment_definitions' })
@Index('segment_definitions_changed', ['changedAt', 'segmentId'])
export class SegmentDefinitionRow {
  @PrimaryColumn({ type: 'text', name: 'segment_id' }) segmentId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ type: 'jsonb' }) rule!: Record<string, unknown>;
  @Column({ type: 'integer', name: 'segment_revision' }) segmentRevision!: number;
  /** active, archived. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', name: 'defined_by' }) definedBy!: string;
  @Column({ type: 'timestamptz', name: 'defined_at' }) definedAt!: Date;
  @Column({ type: 'timestamptz', name: 'changed_at' }) changedAt!: Date;
}

/** One stay of a customer in a segment: `left_at` null while it lasts. */
@Entity({ name: 'segment_memberships' })
@Index('segment_memberships_current', ['segmentId', 'leftAt', 'customerId'])
@Index('segment_memberships_customer', ['customerId'])
export class SegmentMembershipRow {
  @PrimaryColumn({ type: 'text', name: 'segment_id' }) segmentId!: string;
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @PrimaryColumn({ type: 'timestamptz', name: 'entered_at' }) enteredAt!: Date;
  @Column({ type: 'integer', name: 'entered_revision' }) enteredRevision!: number;
  @Column({ type: 'timestamptz', name: 'left_at', nullable: true }) leftAt!: Date | null;
  @Column({ type: 'integer', name: 'left_revision', nullable: true }) leftRevision!: number | null;
}
