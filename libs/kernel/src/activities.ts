/** The words of "scheduling contact with customers" (sales-force automation, ../shared/brief/domain.md). */

/** What is planned: a task, a call, a meeting, an e-mail. */
export const ACTIVITY_KINDS = ['task', 'call', 'meeting', 'email'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** An activity is open until it is completed or cancelled. Overdue is not a status: an open activity past its due time. */
export const ACTIVITY_STATUSES = ['open', 'completed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** The longest reminder ahead of the due time: four weeks, in minutes. */
export const MAX_REMINDER_MINUTES = 40_320;

/** The longest meeting: a working week of 24-hour days, in minutes. */
export const MAX_MEETING_MINUTES = 10_080;
