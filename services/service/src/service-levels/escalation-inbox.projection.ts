import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { Column, Entity, Index, IsNull, PrimaryColumn, type EntityManager } from 'typeorm';
import { CaseSlaClockRow } from './case-service-levels.entities';
import type { EscalationInbox, PendingEscalation } from './escalation-executor';

/**
 * The escalation executor's inbox: one row per `CaseEscalated` (key: case, rule, metric, cycle —
 * what makes an escalation one), settled by the executor once it acted. A work table: what the
 * executor did is not a function of the events, so a replay comparison leaves it out, and a rebuild
 * that empties it would act again — harmless for `reassign` (the same team records nothing), a
 * repeated mail for `notify` (with the same Message-ID).
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
  @Column({ type: 'timestamptz', name: 'escalated_at' }) escalatedAt!: Date;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
  /** When the executor settled it (acted, or saw nothing to do); null: pending. */
  @Column({ type: 'timestamptz', name: 'settled_at', nullable: true }) settledAt!: Date | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
}

export const escalationKey = (e: { episodeId: string; ruleId: string; metric: string; cycle: number }) => `${e.episodeId}/${e.ruleId}/${e.metric}/${e.cycle}`;

/** Fills the inbox: a redelivered `CaseEscalated` finds its row there and changes nothing (not even a settled one). */
export function escalationInboxProjection(): Projection<CrmIntegrationEvent<'CaseEscalated'>> {
  return {
    name: 'service-sla-escalation-inbox',
    entities: [EscalationInboxRow],
    workEntities: [EscalationInboxRow],
    handles: ['CaseEscalated'],
    async apply(event, manager: EntityManager) {
      const d = event.data;
      await manager
        .createQueryBuilder()
        .insert()
        .into(EscalationInboxRow)
        .values({
          key: escalationKey(d),
          episodeId: d.episodeId,
          customerId: d.customerId,
          ruleId: d.ruleId,
          metric: d.metric,
          cycle: d.cycle,
          action: d.action,
          team: d.team ?? null,
          notify: d.notify ?? null,
          escalatedAt: new Date(d.at),
          attempts: 0,
        })
        .orIgnore()
        .execute();
    },
  };
}

/** The breached clock's due time, from the SLA read model (another projection's table, same schema). */
const slaClockDueAt = (manager: EntityManager) => async (episodeId: string, metric: string, cycle: number) =>
  (await manager.getRepository(CaseSlaClockRow).findOneBy({ episodeId, metric, cycle }))?.dueAt ?? null;

/** The inbox on the service's read-model database. */
export function escalationInbox(
  manager: EntityManager,
  dueAtOf: (episodeId: string, metric: string, cycle: number) => Promise<Date | null> = slaClockDueAt(manager),
): EscalationInbox {
  const rows = manager.getRepository(EscalationInboxRow);
  return {
    async pending(limit) {
      const found = await rows.find({ where: { settledAt: IsNull() }, order: { escalatedAt: 'ASC', key: 'ASC' }, take: limit });
      const pending: PendingEscalation[] = [];
      for (const r of found) {
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
          attempts: r.attempts,
        });
      }
      return pending;
    },
    async settle(key, outcome, at) {
      await rows.update({ key }, { settledAt: at, outcome });
    },
    async failed(key, error) {
      await rows.increment({ key }, 'attempts', 1);
      await rows.update({ key }, { lastError: error.slice(0, 500) });
    },
  };
}
