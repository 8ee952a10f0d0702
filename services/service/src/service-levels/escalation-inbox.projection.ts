import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EscalationOutcome } from '@crm/service-levels';
import { Column, Entity, In, Index, IsNull, PrimaryColumn, type EntityManager } from 'typeorm';
import { CaseSlaClockRow } from './case-service-levels.entities';
import type { EscalationInbox, PendingEscalation } from './escalation-executor';

/**
 * The escalation executor's inbox: one row per escalation (key: case, rule, metric, cycle — what
 * makes an escalation one), pending from its `CaseEscalated`, settled by its `CaseEscalationActed`
 * (whichever arrives first). A function of the events: a rebuild ends with every acted escalation
 * settled, so the executor acts on none of them again (and it asks the store before acting, for a
 * projection that has not caught up yet).
 */
@Entity({ name: 'sla_escalation_inbox' })
@Index(['settledAt', 'escalatedAt'])
export class EscalationInboxRow {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'rule_id' }) ruleId!: string;
  @Column({ type: 'text' }) metric!: string;
  @Column({ type: 'integer' }) cycle!: number;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'text', nullable: true }) notify!: string | null;
  /** From `CaseEscalated`; null while only the act has arrived (a bus that delivered it first). */
  @Column({ type: 'timestamptz', name: 'escalated_at', nullable: true }) escalatedAt!: Date | null;
  /** When the executor acted (`CaseEscalationActed.at`); null: pending. */
  @Column({ type: 'timestamptz', name: 'settled_at', nullable: true }) settledAt!: Date | null;
  /** `CaseEscalationActed.outcome`: reassigned, notified, skipped, undeliverable, failed. */
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
}

/**
 * The executor's failed attempts at a pending escalation (for giving up after `maxAttempts`): what
 * the executor writes besides the events, so a work table of the projection — a rebuild empties it
 * (the count starts again), a replay comparison leaves it out.
 */
@Entity({ name: 'sla_escalation_attempts' })
export class EscalationAttemptRow {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
}

export const escalationKey = (e: { episodeId: string; ruleId: string; metric: string; cycle: number }) => `${e.episodeId}/${e.ruleId}/${e.metric}/${e.cycle}`;

type InboxEvent = CrmIntegrationEvent<'CaseEscalated' | 'CaseEscalationActed'>;

/**
 * Fills and settles the inbox. Either event may come first (on the bus both are keyed by the
 * customer, so they keep their order; a re-drive of a parked one may not) and either may be
 * delivered again: each writes only its own columns, the same values every time.
 */
export function escalationInboxProjection(): Projection<InboxEvent> {
  return {
    name: 'service-sla-escalation-inbox',
    entities: [EscalationInboxRow, EscalationAttemptRow],
    workEntities: [EscalationAttemptRow],
    handles: ['CaseEscalated', 'CaseEscalationActed'],
    async apply(event, manager: EntityManager) {
      const d = event.data;
      const row = {
        key: escalationKey(d),
        episodeId: d.episodeId,
        customerId: d.customerId,
        ruleId: d.ruleId,
        metric: d.metric,
        cycle: d.cycle,
        action: d.action,
        team: d.team ?? null,
        notify: d.notify ?? null,
      };
      const insert = manager.createQueryBuilder().insert().into(EscalationInboxRow);
      if (event.type === 'CaseEscalated') {
        await insert
          .values({ ...row, escalatedAt: new Date(event.data.at) })
          .orUpdate(['escalated_at'], ['key'])
          .execute();
        return;
      }
      await insert
        .values({ ...row, settledAt: new Date(event.data.at), outcome: event.data.outcome, detail: event.data.detail ?? null })
        .orUpdate(['settled_at', 'outcome', 'detail'], ['key'])
        .execute();
    },
  };
}

/** The breached clock's due time, from the SLA read model (another projection's table, same schema). */
const slaClockDueAt = (manager: EntityManager) => async (episodeId: string, metric: string, cycle: number) =>
  (await manager.getRepository(CaseSlaClockRow).findOneBy({ episodeId, metric, cycle }))?.dueAt ?? null;

/** Where the acts are recorded and looked up: the store, through `ServiceLevelCommands`. */
export interface EscalationActs {
  escalationActed(ref: { episodeId: string; ruleId: string; metric: string; cycle: number }): Promise<boolean>;
  recordEscalationActed(
    ref: { episodeId: string; ruleId: string; metric: string; cycle: number },
    act: { outcome: EscalationOutcome; detail?: string },
  ): Promise<unknown>;
}

/** The inbox on the service's read-model database, its acts recorded on the store. */
export function escalationInbox(
  manager: EntityManager,
  acts: EscalationActs,
  dueAtOf: (episodeId: string, metric: string, cycle: number) => Promise<Date | null> = slaClockDueAt(manager),
): EscalationInbox {
  const rows = manager.getRepository(EscalationInboxRow);
  const attempts = manager.getRepository(EscalationAttemptRow);
  return {
    async pending(limit) {
      const found = await rows.find({ where: { settledAt: IsNull() }, order: { escalatedAt: 'ASC', key: 'ASC' }, take: limit });
      const tried = new Map(found.length ? (await attempts.findBy({ key: In(found.map((r) => r.key)) })).map((a) => [a.key, a.attempts] as const) : []);
      const pending: PendingEscalation[] = [];
      for (const r of found) {
        // A pending row always has its CaseEscalated (only the act inserts a row without it, settled).
        if (!r.escalatedAt) continue;
        const dueAt = await dueAtOf(r.episodeId, r.metric, r.cycle);
        pending.push({
          key: r.key,
          episodeId: r.episodeId,
          customerId: r.customerId,
          ruleId: r.ruleId,
          metric: r.metric,
          cycle: r.cycle,
          action: r.action as PendingEscalation['action'],
          ...(r.team !== null && { team: r.team }),
          ...(r.notify !== null && { notify: r.notify }),
          escalatedAt: r.escalatedAt.toISOString(),
          ...(dueAt && { dueAt: dueAt.toISOString() }),
          attempts: tried.get(r.key) ?? 0,
        });
      }
      return pending;
    },
    acted(e) {
      return acts.escalationActed(e);
    },
    async record(e, act) {
      await acts.recordEscalationActed(e, act);
    },
    async failed(key, error) {
      // One executor at a time (the process lease): a read and a write need no more.
      const before = await attempts.findOneBy({ key });
      await attempts.save({ key, attempts: (before?.attempts ?? 0) + 1, lastError: error.slice(0, 500) });
    },
  };
}
