import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A trigger rule as the timers see it (from its events): which rules a customer event starts a timer for. */
@Entity({ name: 'trigger_rules' })
export class TriggerRuleRow {
  @PrimaryColumn({ type: 'text', name: 'rule_id' }) ruleId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) on!: string;
  @Column({ type: 'jsonb' }) definition!: object;
  @Column({ type: 'boolean' }) enabled!: boolean;
  /** The rule stream's revision (0-based). */
  @Column({ type: 'integer' }) revision!: number;
  @Column({ type: 'timestamptz', name: 'defined_at' }) definedAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

/** What the timer rules of a customer hang on: registration, first and last order, value tier. */
@Entity({ name: 'trigger_customers' })
export class TriggerCustomerRow {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'timestamptz', name: 'registered_at', nullable: true }) registeredAt!: Date | null;
  @Column({ type: 'text', name: 'registered_event', nullable: true }) registeredEvent!: string | null;
  @Column({ type: 'timestamptz', name: 'first_order_at', nullable: true }) firstOrderAt!: Date | null;
  @Column({ type: 'text', name: 'first_order_event', nullable: true }) firstOrderEvent!: string | null;
  @Column({ type: 'timestamptz', name: 'last_order_at', nullable: true }) lastOrderAt!: Date | null;
  @Column({ type: 'text', name: 'last_order_event', nullable: true }) lastOrderEvent!: string | null;
  @Column({ type: 'text', name: 'value_tier', nullable: true }) valueTier!: string | null;
}

/** The company's cases (episodes of type `case`): their category and priority, and whether they were told a complaint. */
@Entity({ name: 'trigger_cases' })
export class TriggerCaseRow {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', nullable: true }) category!: string | null;
  @Column({ type: 'text', nullable: true }) priority!: string | null;
  @Column({ type: 'boolean' }) complaint!: boolean;
  @Column({ type: 'boolean' }) open!: boolean;
}

/**
 * The due-timers table: one row per rule × customer × cause not yet decided. `next_at` is when the
 * tick looks at it: the cause's time for a new one (decide: schedule, or fire at once), the due
 * time once scheduled. Written in the same transaction as the checkpoint, so a restart finds
 * everything that fell due while the service was down; a row goes when its decision
 * (`MarketingTriggerFired` / `Skipped`) is applied. A lapse row moves with every new order.
 */
@Entity({ name: 'trigger_timers' })
@Index(['nextAt'])
@Index(['customerId', 'ruleId'])
export class TriggerTimerRow {
  @PrimaryColumn({ type: 'text', name: 'timer_id' }) timerId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'rule_id' }) ruleId!: string;
  /** `event` (a customer event), `lapse`, `anniversary`. */
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'jsonb' }) cause!: object;
  @Column({ type: 'jsonb' }) facts!: object;
  @Column({ type: 'timestamptz', name: 'due_at' }) dueAt!: Date;
  @Column({ type: 'boolean' }) scheduled!: boolean;
  @Column({ type: 'timestamptz', name: 'next_at' }) nextAt!: Date;
}

/** What fired (or was scheduled, or skipped) for whom and why: the firings lists. */
@Entity({ name: 'trigger_firings' })
@Index(['ruleId', 'at'])
@Index(['customerId', 'at'])
@Index(['timerId'])
export class TriggerFiringRow {
  /** The event's id. */
  @PrimaryColumn({ type: 'text', name: 'event_id' }) eventId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'rule_id' }) ruleId!: string;
  @Column({ type: 'text', name: 'timer_id' }) timerId!: string;
  /** `scheduled`, `fired`, `skipped`. */
  @Column({ type: 'text' }) outcome!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'jsonb' }) data!: object;
}

/**
 * The recent causes of event rules (an order, a complaint, a case closed, a segment entered) with the
 * facts they were judged on, kept for RULE_CATCH_UP_MS of event time: a rule's definition and a
 * customer's event travel on the bus under different keys, so a rule may arrive after an event that
 * happened after it was defined — the rule then starts the timers it should have (see the projection).
 */
@Entity({ name: 'trigger_recent_causes' })
@Index(['on', 'at'])
@Index(['at'])
export class TriggerRecentCauseRow {
  /** `<on>/<eventId>`. */
  @PrimaryColumn({ type: 'text', name: 'cause_id' }) causeId!: string;
  @Column({ type: 'text' }) on!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'jsonb' }) cause!: object;
  @Column({ type: 'jsonb' }) facts!: object;
  @Column({ type: 'timestamptz' }) at!: Date;
}

export const TRIGGER_TIMER_ENTITIES = [TriggerRuleRow, TriggerCustomerRow, TriggerCaseRow, TriggerTimerRow, TriggerFiringRow, TriggerRecentCauseRow];
