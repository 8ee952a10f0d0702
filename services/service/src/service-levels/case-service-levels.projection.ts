import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import {
  evolveCaseFacts,
  isCaseOpen,
  matchPolicy,
  nextNoticeAt,
  noticeKey,
  recordedClocks,
  TWENTY_FOUR_SEVEN,
  valueTierOf,
  type BusinessCalendar,
  type CaseFacts,
  type ServiceLevelPolicy,
  type SlaMetric,
  SLA_CASE_EVENT_TYPES,
  SLA_CLOCK_EVENT_TYPES,
} from '@crm/service-levels';
import type { EntityManager } from 'typeorm';
import { CASE_SERVICE_LEVEL_ENTITIES, CaseServiceLevelRow, CaseSlaClockRow, CustomerValueTierRow, ServiceLevelConfigRow } from './case-service-levels.entities';

export type CaseServiceLevelsEvent = CrmIntegrationEvent<
  | 'EpisodeOpened'
  | 'InteractionRecorded'
  | 'EpisodeClosed'
  | 'CaseStatusChanged'
  | 'CaseDetailsChanged'
  | 'CaseAssigned'
  | 'CaseReopened'
  | 'CaseSlaWarning'
  | 'CaseSlaBreached'
  | 'CustomerValueTierChanged'
  | 'ServiceLevelPoliciesSet'
  | 'BusinessCalendarSet'
>;

const CASE_EVENTS: ReadonlySet<string> = new Set(SLA_CASE_EVENT_TYPES);

/**
 * `<owner>.case-service-levels`: per case its SLA facts, the timer's index (`next_notice_at`) and per
 * metric and cycle its due time, state and paused time; the customers' value tiers; the policies and
 * calendars. The clock is the domain's (`slaClock`), computed again whenever a fact of the case, the
 * customer's tier, or the configuration changes (configuration: every open case). The timer reads
 * `next_notice_at` and decides on the store, so a read model a little behind delays a notice by a
 * tick at most and never records a wrong one.
 */
export function caseServiceLevelsProjection(owner: string): Projection<CaseServiceLevelsEvent> {
  return {
    name: `${owner}.case-service-levels`,
    entities: CASE_SERVICE_LEVEL_ENTITIES,
    handles: [...SLA_CLOCK_EVENT_TYPES],
    async apply(event, m) {
      if (CASE_EVENTS.has(event.type)) {
        const episodeId = (event.data as { episodeId: string }).episodeId;
        const row = await m.getRepository(CaseServiceLevelRow).findOneBy({ episodeId });
        if (event.type === 'EpisodeOpened') {
          if (event.data.owner.kind === 'partner') return;
          const facts = evolveCaseFacts(undefined, event);
          if (!facts) return;
          await recompute(m, { episodeId, customerId: facts.customerId, openedAt: new Date(facts.openedAt), facts, recorded: row?.recorded ?? [] } as never);
          return;
        }
        if (!row) return;
        row.facts = evolveCaseFacts(row.facts as CaseFacts, event)!;
        await recompute(m, row);
        return;
      }
      switch (event.type) {
        case 'CaseSlaWarning':
        case 'CaseSlaBreached': {
          const row = await m.getRepository(CaseServiceLevelRow).findOneBy({ episodeId: event.data.episodeId });
          if (!row) return;
          const key = noticeKey({
            metric: event.data.metric as SlaMetric,
            cycle: event.data.cycle,
            kind: event.type === 'CaseSlaWarning' ? 'warning' : 'breach',
          });
          if (!row.recorded.includes(key)) row.recorded = [...row.recorded, key];
          await recompute(m, row);
          return;
        }
        case 'CustomerValueTierChanged': {
          await m.getRepository(CustomerValueTierRow).save({ customerId: event.data.customerId, tier: event.data.tier });
          for (const row of await m.getRepository(CaseServiceLevelRow).findBy({ customerId: event.data.customerId, open: true })) await recompute(m, row);
          return;
        }
        case 'ServiceLevelPoliciesSet':
          await m.getRepository(ServiceLevelConfigRow).save({ key: 'policies', value: { policies: event.data.policies, escalations: event.data.escalations } });
          break;
        case 'BusinessCalendarSet':
          await m.getRepository(ServiceLevelConfigRow).save({ key: `calendar:${event.data.calendarId}`, value: event.data });
          break;
      }
      // The configuration changed: every open case's clock with it (closed cases keep the result they had).
      for (const row of await m.getRepository(CaseServiceLevelRow).findBy({ open: true })) await recompute(m, row);
    },
  };
}

/** The case's clock computed again from its facts, tier and the configuration; its rows rewritten. */
async function recompute(m: EntityManager, row: CaseServiceLevelRow): Promise<void> {
  const facts = row.facts as CaseFacts;
  const tierRow = await m.getRepository(CustomerValueTierRow).findOneBy({ customerId: row.customerId });
  const tier = valueTierOf(tierRow?.tier);
  const config = await m.getRepository(ServiceLevelConfigRow).findOneBy({ key: 'policies' });
  const policies = ((config?.value as { policies?: ServiceLevelPolicy[] } | undefined)?.policies ?? []) as ServiceLevelPolicy[];
  const policy = matchPolicy(policies, { tier, priority: facts.priority, channel: facts.channel });
  const calendar = await calendarOf(m, policy.calendarId);
  // As of the case's own latest fact, not the event's time (`recordedClocks`, shared with analytics'
  // SLA clocks): a fresh replay gives the same rows. Live states are the route's (`GET /cases/{id}/service-levels`, at the clock's now).
  const recorded = new Set(row.recorded);
  const clocks = recordedClocks(facts, policy, calendar, recorded);
  const next = nextNoticeAt(clocks, recorded);
  await m.getRepository(CaseServiceLevelRow).save({
    episodeId: row.episodeId,
    customerId: row.customerId,
    openedAt: row.openedAt,
    facts,
    recorded: row.recorded,
    policyId: policy.policyId,
    tier,
    team: facts.team ?? null,
    open: isCaseOpen(facts),
    nextNoticeAt: next ? new Date(next) : null,
  });
  await m.getRepository(CaseSlaClockRow).delete({ episodeId: row.episodeId });
  await m.getRepository(CaseSlaClockRow).insert(
    clocks.map((c) => ({
      episodeId: row.episodeId,
      metric: c.metric,
      cycle: c.cycle,
      openedAt: row.openedAt,
      tier,
      team: facts.team ?? null,
      state: c.state,
      targetMinutes: c.targetMinutes,
      startedAt: new Date(c.startedAt),
      dueAt: c.dueAt ? new Date(c.dueAt) : null,
      stoppedAt: c.stoppedAt ? new Date(c.stoppedAt) : null,
      met: c.met ?? null,
      pausedMinutes: c.pausedMinutes,
    })),
  );
}

async function calendarOf(m: EntityManager, calendarId: string): Promise<BusinessCalendar> {
  if (calendarId === TWENTY_FOUR_SEVEN.calendarId) return TWENTY_FOUR_SEVEN;
  const row = await m.getRepository(ServiceLevelConfigRow).findOneBy({ key: `calendar:${calendarId}` });
  return (row?.value as BusinessCalendar | undefined) ?? TWENTY_FOUR_SEVEN;
}

/** Cases with a warning or breach due at `now`, longest waiting first (the SLA timer's to-do list). */
export async function casesWithSlaNoticeDue(m: EntityManager, now: Date, limit: number): Promise<string[]> {
  const rows = await m
    .getRepository(CaseServiceLevelRow)
    .createQueryBuilder('c')
    .select('c.episodeId', 'episodeId')
    .where('c.nextNoticeAt <= :now', { now })
    .orderBy('c.nextNoticeAt', 'ASC')
    .addOrderBy('c.episodeId', 'ASC')
    .limit(limit)
    .getRawMany<{ episodeId: string }>();
  return rows.map((r) => r.episodeId);
}
