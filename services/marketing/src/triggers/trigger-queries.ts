import { cursorParts, decodeCursor, encodeCursor, type Page } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import type { DueTimer } from './trigger-commands';
import { offersOf } from './trigger-offers.projection';
import { TriggerFiringRow, TriggerRuleRow, TriggerTimerRow } from './trigger-timers.entities';

/** Timers whose next look is due at `now`, earliest first (the trigger timer's to-do list). */
export async function dueTriggerTimers(m: EntityManager, now: Date, limit: number): Promise<DueTimer[]> {
  const rows = await m
    .getRepository(TriggerTimerRow)
    .createQueryBuilder('t')
    .where('t.nextAt <= :now', { now })
    .orderBy('t.nextAt', 'ASC')
    .addOrderBy('t.timerId', 'ASC')
    .limit(limit)
    .getMany();
  return rows.map((r) => ({
    timerId: r.timerId,
    customerId: r.customerId,
    ruleId: r.ruleId,
    cause: r.cause as DueTimer['cause'],
    facts: r.facts as DueTimer['facts'],
    dueAt: r.dueAt.toISOString(),
  }));
}

export interface TriggerRuleListItem {
  ruleId: string;
  name: string;
  on: string;
  enabled: boolean;
  revision: string;
  definedAt: string;
  updatedAt: string;
}

const ID = cursorParts.text({ min: 1, max: 200 });
const INSTANT = cursorParts.text({ min: 1, max: 40, valid: (t) => !Number.isNaN(Date.parse(t)) });

/** The rules, by id (keyset paging); `on` and `enabled` filter. */
export async function listTriggerRules(
  m: EntityManager,
  q: { on?: string; enabled?: boolean; limit: number; cursor?: string },
): Promise<Page<TriggerRuleListItem>> {
  const qb = m.getRepository(TriggerRuleRow).createQueryBuilder('r');
  if (q.on !== undefined) qb.andWhere('r.on = :on', { on: q.on });
  if (q.enabled !== undefined) qb.andWhere('r.enabled = :enabled', { enabled: q.enabled });
  if (q.cursor !== undefined) {
    const [, after] = decodeCursor(q.cursor, [cursorParts.list('trigger-rules'), ID] as const);
    qb.andWhere('r.ruleId > :after', { after });
  }
  const rows = await qb
    .orderBy('r.ruleId', 'ASC')
    .limit(q.limit + 1)
    .getMany();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      ruleId: r.ruleId,
      name: r.name,
      on: r.on,
      enabled: r.enabled,
      revision: String(r.revision),
      definedAt: r.definedAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
    ...(rows.length > q.limit && last && { nextCursor: encodeCursor(['trigger-rules', last.ruleId]) }),
  };
}

export interface TriggerFiringItem {
  eventId: string;
  outcome: 'scheduled' | 'fired' | 'skipped';
  at: string;
  customerId: string;
  ruleId: string;
  timerId: string;
  [field: string]: unknown;
}

/** Firings (scheduled, fired, skipped) of one rule or one customer, newest first (keyset paging). */
export async function listTriggerFirings(
  m: EntityManager,
  q: { ruleId?: string; customerId?: string; outcome?: string; limit: number; cursor?: string },
): Promise<Page<TriggerFiringItem>> {
  const list = q.ruleId !== undefined ? 'rule-firings' : 'customer-firings';
  const qb = m.getRepository(TriggerFiringRow).createQueryBuilder('f');
  if (q.ruleId !== undefined) qb.andWhere('f.ruleId = :ruleId', { ruleId: q.ruleId });
  if (q.customerId !== undefined) qb.andWhere('f.customerId = :customerId', { customerId: q.customerId });
  if (q.outcome !== undefined) qb.andWhere('f.outcome = :outcome', { outcome: q.outcome });
  if (q.cursor !== undefined) {
    const [, at, id] = decodeCursor(q.cursor, [cursorParts.list(list), INSTANT, ID] as const);
    qb.andWhere('(f.at < :at OR (f.at = :at AND f.eventId > :id))', { at: new Date(at), id });
  }
  const rows = await qb
    .orderBy('f.at', 'DESC')
    .addOrderBy('f.eventId', 'ASC')
    .limit(q.limit + 1)
    .getMany();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const offers = await offersOf(
    m,
    page.filter((r) => r.outcome === 'fired').map((r) => r.eventId),
  );
  return {
    items: page.map((r) => {
      const offer = offers.get(r.eventId);
      return {
        ...(r.data as object),
        eventId: r.eventId,
        outcome: r.outcome as TriggerFiringItem['outcome'],
        at: r.at.toISOString(),
        ...(offer && { offer }),
      } as TriggerFiringItem;
    }),
    ...(rows.length > q.limit && last && { nextCursor: encodeCursor([list, last.at.toISOString(), last.eventId]) }),
  };
}
