import type { IntegrationEvent } from '@crm/bus';
import type { CrmIntegrationEvent } from '@crm/contracts';
import {
  dueAtOf,
  isComplaintCategory,
  lapseDueAt,
  nextAnniversary,
  ruleApplies,
  triggerTimerId,
  durationMinutes,
  type TriggerCause,
  type TriggerFacts,
  type TriggerOn,
  type TriggerRuleDefinition,
} from '@crm/marketing-triggers';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import {
  TRIGGER_TIMER_ENTITIES,
  TriggerCaseRow,
  TriggerCustomerRow,
  TriggerFiringRow,
  TriggerRecentCauseRow,
  TriggerRuleRow,
  TriggerTimerRow,
} from './trigger-timers.entities';

/**
 * `SegmentEntered` as the segments' projection publishes it (issue 13 §2, another part of the issue):
 * matched by its type name and these fields, so this read model follows it as soon as its contract
 * is registered (until then the runner offers it nothing of that type).
 */
export interface SegmentEnteredData {
  segmentId: string;
  customerId: string;
  at: string;
}

export type TriggerTimersEvent =
  | CrmIntegrationEvent<
      | 'TriggerRuleDefined'
      | 'TriggerRuleRevised'
      | 'TriggerRuleDisabled'
      | 'TriggerRuleEnabled'
      | 'MarketingTriggerScheduled'
      | 'MarketingTriggerFired'
      | 'MarketingTriggerSkipped'
      | 'CustomerRegistered'
      | 'CustomerValueTierChanged'
      | 'CustomerMerged'
      | 'CustomerUnmerged'
      | 'OrderPlaced'
      | 'EpisodeOpened'
      | 'CaseDetailsChanged'
      | 'EpisodeClosed'
    >
  | IntegrationEvent<'SegmentEntered', SegmentEnteredData>;

const TIMER_RULES: readonly TriggerOn[] = ['lapse', 'anniversary'];
/**
 * How long (event time) the causes of event rules are kept for a rule that arrives late: the bus
 * delivers a rule and a customer's events under different keys, so after a consumer's outage one
 * partition's backlog may trail another's by hours. A day covers that; an event older than the rule
 * by more than this was never its cause anyway unless the bus lagged longer.
 */
export const RULE_CATCH_UP_MS = 86_400_000;

/**
 * `marketing.trigger-timers` (issue 13 §4): the rules, what the timer rules hang on (registration,
 * first and last order, value tier), the company's cases, the due-timers table the trigger timer
 * ticks over, and the firings lists. Everything here is a function of the events (their own times,
 * never a clock), so a rebuild gives the same tables; what is decided is decided on the store by
 * the timer (`TriggerCommands.decide`), which this projection only follows.
 *
 * - A customer event starts a timer for every enabled rule on it that applies to it (active then,
 *   conditions hold): one that matches no rule leaves nothing behind. Imported orders (`source:
 *   import`) are history: they move lapse and first-order dates but start no order rule.
 * - A lapse timer is due `lapseDays` after the customer's last order; every new order moves it (the
 *   old row goes, a new one keyed on the new order comes).
 * - An anniversary timer is due on the next anniversary of registration or of the first order; when
 *   it is decided, next year's comes.
 * - A customer merged into another (`CustomerMerged`, the duplicate) loses its timers: offers go to the survivor.
 *   Unmerged (`CustomerUnmerged`), it gets them back from its own history: its lapse from its last
 *   order, its anniversaries from the unmerge on (a timer decided before is decided once: same id).
 * - A timer row goes when its decision (`MarketingTriggerFired` / `MarketingTriggerSkipped`) is
 *   applied; `MarketingTriggerScheduled` moves its `next_at` to the due time.
 */
export function triggerTimersProjection(): Projection<TriggerTimersEvent> {
  return {
    name: 'marketing.trigger-timers',
    entities: TRIGGER_TIMER_ENTITIES,
    handles: [
      'TriggerRuleDefined',
      'TriggerRuleRevised',
      'TriggerRuleDisabled',
      'TriggerRuleEnabled',
      'MarketingTriggerScheduled',
      'MarketingTriggerFired',
      'MarketingTriggerSkipped',
      'CustomerRegistered',
      'CustomerValueTierChanged',
      'CustomerMerged',
      'CustomerUnmerged',
      'OrderPlaced',
      'EpisodeOpened',
      'CaseDetailsChanged',
      'EpisodeClosed',
      'SegmentEntered',
    ],
    async apply(event, m) {
      switch (event.type) {
        case 'TriggerRuleDefined':
        case 'TriggerRuleRevised': {
          const {
            ruleId,
            definedAt: _d,
            definedBy: _b,
            revisedAt: _r,
            revisedBy: _rb,
            ...definition
          } = event.data as typeof event.data & Record<string, unknown>;
          const rows = m.getRepository(TriggerRuleRow);
          const existing = await rows.findOneBy({ ruleId });
          const at = new Date(event.type === 'TriggerRuleDefined' ? event.data.definedAt : event.data.revisedAt);
          const row = await rows.save({
            ruleId,
            name: event.data.name,
            on: event.data.on,
            definition,
            enabled: existing ? existing.enabled : true,
            revision: existing ? existing.revision + 1 : 0,
            definedAt: existing?.definedAt ?? at,
            updatedAt: at,
          });
          if (TIMER_RULES.includes(row.on as TriggerOn)) await rebuildTimerRule(m, row, event.time);
          else if (event.type === 'TriggerRuleDefined') await catchUp(m, row, event.data.definedAt);
          return;
        }
        case 'TriggerRuleDisabled':
        case 'TriggerRuleEnabled': {
          const rows = m.getRepository(TriggerRuleRow);
          const row = await rows.findOneBy({ ruleId: event.data.ruleId });
          if (!row) return;
          row.enabled = event.type === 'TriggerRuleEnabled';
          row.revision += 1;
          row.updatedAt = new Date(event.type === 'TriggerRuleEnabled' ? event.data.enabledAt : event.data.disabledAt);
          await rows.save(row);
          // A disabled timer rule keeps no timers (nothing was scheduled for them); enabled, they come back.
          // Timers of event rules stay: when due, the timer records them skipped as `disabled`.
          if (TIMER_RULES.includes(row.on as TriggerOn)) await rebuildTimerRule(m, row, event.time);
          else if (event.type === 'TriggerRuleEnabled') await catchUp(m, row, event.data.enabledAt);
          return;
        }
        case 'MarketingTriggerScheduled':
          await m.getRepository(TriggerTimerRow).update({ timerId: event.data.timerId }, { scheduled: true, nextAt: new Date(event.data.dueAt) });
          await firing(m, event.id, event.data, 'scheduled', event.data.scheduledAt);
          return;
        case 'MarketingTriggerFired':
        case 'MarketingTriggerSkipped': {
          const at = event.type === 'MarketingTriggerFired' ? event.data.firedAt : event.data.skippedAt;
          await firing(m, event.id, event.data, event.type === 'MarketingTriggerFired' ? 'fired' : 'skipped', at);
          const timers = m.getRepository(TriggerTimerRow);
          const row = await timers.findOneBy({ timerId: event.data.timerId });
          if (!row) return;
          await timers.delete({ timerId: row.timerId });
          if (row.kind === 'anniversary') {
            const rule = await m.getRepository(TriggerRuleRow).findOneBy({ ruleId: row.ruleId });
            const customer = await m.getRepository(TriggerCustomerRow).findOneBy({ customerId: row.customerId });
            if (rule?.enabled && customer) await anniversaryTimer(m, rule, customer, row.dueAt.toISOString());
          }
          return;
        }
        case 'CustomerRegistered': {
          const customer = await customerRow(m, event.data.customerId);
          customer.registeredAt = new Date(event.time);
          customer.registeredEvent = event.id;
          await m.getRepository(TriggerCustomerRow).save(customer);
          for (const rule of await rulesOn(m, 'anniversary')) await anniversaryTimer(m, rule, customer, event.time);
          return;
        }
        case 'CustomerValueTierChanged': {
          const customer = await customerRow(m, event.data.customerId);
          customer.valueTier = event.data.tier;
          await m.getRepository(TriggerCustomerRow).save(customer);
          return;
        }
        case 'CustomerMerged':
          // The duplicate is the survivor now (its later orders are written as the survivor's): no offer goes to the duplicate's id.
          await m.getRepository(TriggerTimerRow).delete({ customerId: event.data.customerId });
          return;
        case 'CustomerUnmerged': {
          const customer = await m.getRepository(TriggerCustomerRow).findOneBy({ customerId: event.data.customerId });
          if (!customer) return;
          for (const rule of await rulesOn(m, 'lapse')) await lapseTimer(m, rule, customer);
          for (const rule of await rulesOn(m, 'anniversary')) await anniversaryTimer(m, rule, customer, event.time);
          return;
        }
        case 'OrderPlaced': {
          const d = event.data;
          const customer = await customerRow(m, d.customerId);
          const orderDate = new Date(d.orderDate);
          const newFirst = customer.firstOrderAt === null || orderDate < customer.firstOrderAt;
          const newLast = customer.lastOrderAt === null || orderDate >= customer.lastOrderAt;
          if (newFirst) Object.assign(customer, { firstOrderAt: orderDate, firstOrderEvent: event.id });
          if (newLast) Object.assign(customer, { lastOrderAt: orderDate, lastOrderEvent: event.id });
          await m.getRepository(TriggerCustomerRow).save(customer);
          // The new order moves the lapse timers (and, if it is the earliest, the first-order anniversaries).
          for (const rule of await rulesOn(m, 'lapse')) if (newLast) await lapseTimer(m, rule, customer);
          if (newFirst) for (const rule of await rulesOn(m, 'anniversary')) await anniversaryTimer(m, rule, customer, event.time);
          if (d.source === 'import') return;
          const facts: TriggerFacts = {
            orderTotal: d.total,
            currency: d.currency,
            productIds: [...new Set(d.lines.map((l) => l.productId))],
            orderSource: d.source,
            ...(customer.valueTier && { valueTier: customer.valueTier }),
          };
          await eventTimers(m, 'order-placed', d.customerId, causeOf(event, d.placedAt), facts);
          return;
        }
        case 'EpisodeOpened': {
          const d = event.data;
          if (d.episodeType !== 'case' || d.owner.kind !== 'department') return;
          await m
            .getRepository(TriggerCaseRow)
            .save({ episodeId: d.episodeId, customerId: d.customerId, category: null, priority: null, complaint: false, open: true });
          return;
        }
        case 'CaseDetailsChanged': {
          const d = event.data;
          const cases = m.getRepository(TriggerCaseRow);
          const row = await cases.findOneBy({ episodeId: d.episodeId });
          if (!row) return;
          if (d.category !== undefined) row.category = d.category;
          if (d.priority !== undefined) row.priority = d.priority;
          // A case is told a complaint the first time its category says so, while it is open: the complaint opened.
          const complaintNow = row.open && !row.complaint && isComplaintCategory(row.category);
          if (complaintNow) row.complaint = true;
          await cases.save(row);
          if (complaintNow) await eventTimers(m, 'complaint-opened', row.customerId, causeOf(event, d.changedAt), await caseFacts(m, row));
          return;
        }
        case 'EpisodeClosed': {
          const cases = m.getRepository(TriggerCaseRow);
          const row = await cases.findOneBy({ episodeId: event.data.episodeId });
          if (!row) return;
          row.open = false;
          await cases.save(row);
          await eventTimers(m, 'case-closed', row.customerId, causeOf(event, event.data.closedAt), await caseFacts(m, row));
          return;
        }
        case 'SegmentEntered': {
          const d = event.data;
          const customer = await m.getRepository(TriggerCustomerRow).findOneBy({ customerId: d.customerId });
          await eventTimers(m, 'segment-entered', d.customerId, causeOf(event, d.at), {
            segmentId: d.segmentId,
            ...(customer?.valueTier && { valueTier: customer.valueTier }),
          });
          return;
        }
      }
    },
  };
}

function causeOf(event: IntegrationEvent, at: string): TriggerCause {
  return { eventId: event.id, type: event.type, ...(event.position !== undefined && { position: event.position }), at: new Date(at).toISOString() };
}

async function customerRow(m: EntityManager, customerId: string): Promise<TriggerCustomerRow> {
  return (
    (await m.getRepository(TriggerCustomerRow).findOneBy({ customerId })) ??
    Object.assign(new TriggerCustomerRow(), {
      customerId,
      registeredAt: null,
      registeredEvent: null,
      firstOrderAt: null,
      firstOrderEvent: null,
      lastOrderAt: null,
      lastOrderEvent: null,
      valueTier: null,
    })
  );
}

async function caseFacts(m: EntityManager, row: TriggerCaseRow): Promise<TriggerFacts> {
  const customer = await m.getRepository(TriggerCustomerRow).findOneBy({ customerId: row.customerId });
  return {
    ...(row.category && { caseCategory: row.category }),
    ...(row.priority && { casePriority: row.priority }),
    ...(customer?.valueTier && { valueTier: customer.valueTier }),
  };
}

async function rulesOn(m: EntityManager, on: TriggerOn): Promise<TriggerRuleRow[]> {
  return m.getRepository(TriggerRuleRow).find({ where: { on, enabled: true }, order: { ruleId: 'ASC' } });
}

const definitionOf = (row: TriggerRuleRow) => row.definition as TriggerRuleDefinition;

/**
 * A timer per enabled rule on `on` that applies to the cause; looked at first at the cause's time
 * (schedule, or fire at once). The cause is kept a while for a rule that arrives after it (`catchUp`).
 */
async function eventTimers(m: EntityManager, on: TriggerOn, customerId: string, cause: TriggerCause, facts: TriggerFacts): Promise<void> {
  await lockRulesAndCauses(m);
  const causes = m.getRepository(TriggerRecentCauseRow);
  await causes.save({ causeId: `${on}/${cause.eventId}`, on, customerId, cause, facts, at: new Date(cause.at) });
  await causes
    .createQueryBuilder()
    .delete()
    .where('at < :before', { before: new Date(Date.parse(cause.at) - RULE_CATCH_UP_MS) })
    .execute();
  for (const rule of await rulesOn(m, on)) await eventTimer(m, rule, customerId, cause, facts);
}

async function eventTimer(m: EntityManager, rule: TriggerRuleRow, customerId: string, cause: TriggerCause, facts: TriggerFacts): Promise<void> {
  const definition = definitionOf(rule);
  if (!ruleApplies({ enabled: rule.enabled, definition }, cause.at, facts)) return;
  await saveTimer(m, {
    timerId: triggerTimerId(rule.ruleId, customerId, `event/${cause.eventId}`),
    customerId,
    ruleId: rule.ruleId,
    kind: 'event',
    cause,
    facts,
    dueAt: new Date(dueAtOf(definition, cause.at)),
    scheduled: false,
    nextAt: new Date(cause.at),
  });
}

/** Fixed for good: the advisory lock a cause and a rule's catch-up take (any 64-bit number no other code uses). */
const RULES_AND_CAUSES_LOCK = 7_305_513_941_201;

/**
 * The bus delivers several partitions at once, each in its own transaction. Without this lock a
 * rule (one partition) and an order (another) applied side by side would each miss the other: the
 * order's transaction reads the rules before the rule's commits, and the rule's catch-up reads the
 * causes before the order's commits (write skew under READ COMMITTED) — and the order starts no
 * timer. Both take this transaction-scoped lock before they read, so one waits for the other's commit
 * and then sees it. It serialises the transactions that apply event-rule causes; nothing else waits.
 */
async function lockRulesAndCauses(m: EntityManager): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [RULES_AND_CAUSES_LOCK]);
}

/**
 * An event rule defined (or enabled) at `since` that reached this read model after causes that
 * happened at or after `since`: it starts their timers now, as it would have had it come first. The
 * timer id is derived from rule, customer and cause, and a decided timer is never saved again, so
 * a cause already timed is not timed twice.
 */
async function catchUp(m: EntityManager, rule: TriggerRuleRow, since: string): Promise<void> {
  if (!rule.enabled) return;
  await lockRulesAndCauses(m);
  const late = await m
    .getRepository(TriggerRecentCauseRow)
    .createQueryBuilder('c')
    .where('c.on = :on AND c.at > :since', { on: rule.on, since: new Date(since) })
    .orderBy('c.at', 'ASC')
    .addOrderBy('c.causeId', 'ASC')
    .getMany();
  for (const c of late) await eventTimer(m, rule, c.customerId, c.cause as TriggerCause, c.facts as TriggerFacts);
}

/** The customer's lapse timer of a rule: the old one goes, one keyed on the last order comes. */
async function lapseTimer(m: EntityManager, rule: TriggerRuleRow, customer: TriggerCustomerRow): Promise<void> {
  const timers = m.getRepository(TriggerTimerRow);
  await timers.delete({ customerId: customer.customerId, ruleId: rule.ruleId, kind: 'lapse' });
  if (!rule.enabled || customer.lastOrderAt === null || customer.lastOrderEvent === null) return;
  const definition = definitionOf(rule);
  const lastOrderAt = customer.lastOrderAt.toISOString();
  const due = new Date(Date.parse(lapseDueAt(lastOrderAt, definition.lapseDays!)) + durationMinutes(definition.delay) * 60_000);
  await saveTimer(m, {
    timerId: triggerTimerId(rule.ruleId, customer.customerId, `lapse/${customer.lastOrderEvent}`),
    customerId: customer.customerId,
    ruleId: rule.ruleId,
    kind: 'lapse',
    cause: { eventId: customer.lastOrderEvent, type: 'OrderPlaced', at: lastOrderAt },
    facts: customer.valueTier ? { valueTier: customer.valueTier } : {},
    dueAt: due,
    scheduled: false,
    nextAt: due,
  });
}

/** The customer's next anniversary timer of a rule after `after` (the old one, if any, goes). */
async function anniversaryTimer(m: EntityManager, rule: TriggerRuleRow, customer: TriggerCustomerRow, after: string): Promise<void> {
  const timers = m.getRepository(TriggerTimerRow);
  await timers.delete({ customerId: customer.customerId, ruleId: rule.ruleId, kind: 'anniversary' });
  const definition = definitionOf(rule);
  const [since, eventId, type] =
    definition.anniversaryOf === 'first-order'
      ? [customer.firstOrderAt, customer.firstOrderEvent, 'OrderPlaced']
      : [customer.registeredAt, customer.registeredEvent, 'CustomerRegistered'];
  if (!rule.enabled || since === null || eventId === null) return;
  const anniversary = nextAnniversary(since.toISOString(), after);
  const due = new Date(Date.parse(anniversary) + durationMinutes(definition.delay) * 60_000);
  await saveTimer(m, {
    timerId: triggerTimerId(rule.ruleId, customer.customerId, `anniversary/${eventId}/${anniversary}`),
    customerId: customer.customerId,
    ruleId: rule.ruleId,
    kind: 'anniversary',
    cause: { eventId, type, at: since.toISOString() },
    facts: customer.valueTier ? { valueTier: customer.valueTier } : {},
    dueAt: due,
    scheduled: false,
    nextAt: due,
  });
}

/** A timer rule defined, revised, disabled or enabled: its timers for every customer, again. */
async function rebuildTimerRule(m: EntityManager, rule: TriggerRuleRow, at: string): Promise<void> {
  await m.getRepository(TriggerTimerRow).delete({ ruleId: rule.ruleId, kind: rule.on });
  if (!rule.enabled) return;
  for (const customer of await m.getRepository(TriggerCustomerRow).find({ order: { customerId: 'ASC' } })) {
    if (rule.on === 'lapse') await lapseTimer(m, rule, customer);
    else await anniversaryTimer(m, rule, customer, at);
  }
}

/** A timer, unless it was decided before (a lapse rule enabled again after its lapse fired): a timer is decided once. */
async function saveTimer(m: EntityManager, row: TriggerTimerRow): Promise<void> {
  const decided = await m.getRepository(TriggerFiringRow).findOne({
    where: [
      { timerId: row.timerId, outcome: 'fired' },
      { timerId: row.timerId, outcome: 'skipped' },
    ],
  });
  if (!decided) await m.getRepository(TriggerTimerRow).save(row);
}

async function firing(
  m: EntityManager,
  eventId: string,
  data: { customerId: string; ruleId: string; timerId: string },
  outcome: string,
  at: string,
): Promise<void> {
  await m
    .getRepository(TriggerFiringRow)
    .save({ eventId, customerId: data.customerId, ruleId: data.ruleId, timerId: data.timerId, outcome, at: new Date(at), data });
}
