import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The activities as sales lists them (`GET /activities`, the due and overdue lists, the calendar
 * feeds) and as the activity scheduler finds what is due: one row per activity, with when its next
 * notice (reminder or due) is to be recorded.
 */
@Entity({ name: 'activity_list' })
@Index('activity_list_due', ['dueAt', 'activityId'])
@Index('activity_list_owner_due', ['owner', 'dueAt'])
@Index('activity_list_customer_due', ['customerId', 'dueAt'])
@Index('activity_list_episode', ['episodeId'])
@Index('activity_list_next_notice', ['nextNoticeAt'])
export class ActivityListEntry {
  @PrimaryColumn({ type: 'text', name: 'activity_id' }) activityId!: string;
  /** task, call, meeting, email. */
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'episode_id', nullable: true }) episodeId!: string | null;
  /** Personal free text: `[erased]` once the customer's data is erased. */
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  @Column({ type: 'text' }) owner!: string;
  /** open, completed, cancelled. */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'timestamptz', name: 'due_at' }) dueAt!: Date;
  @Column({ type: 'integer', name: 'duration_minutes', nullable: true }) durationMinutes!: number | null;
  @Column({ type: 'integer', name: 'reminder_minutes', nullable: true }) reminderMinutes!: number | null;
  @Column({ type: 'timestamptz', name: 'remind_at', nullable: true }) remindAt!: Date | null;
  /** 1 for the plan, +1 for each reschedule. */
  @Column({ type: 'integer' }) schedule!: number;
  @Column({ type: 'boolean', name: 'reminder_notified' }) reminderNotified!: boolean;
  @Column({ type: 'boolean', name: 'due_notified' }) dueNotified!: boolean;
  /** When the scheduler is next to record a notice (the reminder, then the due time); null: nothing left to record. */
  @Column({ type: 'timestamptz', name: 'next_notice_at', nullable: true }) nextNoticeAt!: Date | null;
  @Column({ type: 'text', name: 'planned_by' }) plannedBy!: string;
  @Column({ type: 'timestamptz', name: 'planned_at' }) plannedAt!: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'cancelled_at', nullable: true }) cancelledAt!: Date | null;
  @Column({ type: 'text', name: 'interaction_id', nullable: true }) interactionId!: string | null;
  /** What came back, from the completion's interaction (personal). */
  @Column({ type: 'text', nullable: true }) response!: string | null;
  /** Counts the changes a calendar shows (plan, reschedule, reassignment, cancellation, completion): the feed's SEQUENCE. */
  @Column({ type: 'integer' }) sequence!: number;
  /** When the last such change happened. */
  @Column({ type: 'timestamptz', name: 'changed_at' }) changedAt!: Date;
}
