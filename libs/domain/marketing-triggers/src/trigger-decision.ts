import { uuidV5 } from '@crm/kernel';
import { durationMinutes, type TriggerConditions, type TriggerOn, type TriggerRuleDefinition } from './trigger-rule';

/** The event (or, for a timer, the event its date comes from) a firing answers. */
export interface TriggerCause {
  eventId: string;
  type: string;
  /** Its position in the store's one order (`<commit>/<prepare>`), when known. */
  position?: string;
  /** When it happened (`placedAt`, `openedAt`, …). */
  at: string;
}

/** What the conditions are judged on: the cause event's values, and the customer's tier then. */
export interface TriggerFacts {
  orderTotal?: number;
  currency?: string;
  productIds?: string[];
  /** The order's `source` (`api`, `quote`, `sell-through`). */
  orderSource?: string;
  valueTier?: string;
  caseCategory?: string;
  casePriority?: string;
  segmentId?: string;
}

/** One condition as judged: what the rule asks, what the fact was, whether it held. */
export interface ConditionCheck {
  condition: keyof TriggerConditions;
  expected: string;
  actual: string;
  held: boolean;
}

/** Why a rule fired or was skipped: the conditions and the delay, cooldown and cap as they stood. */
export interface TriggerWhy {
  conditions: ConditionCheck[];
  delayMinutes: number;
  cooldown?: { minutes: number; lastFiredAt?: string; until?: string };
  cap?: { firings: number; days: number; firedInWindow: number };
}

export const SKIP_REASONS = ['disabled', 'inactive', 'condition-false', 'cooldown', 'frequency-cap'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A customer's firings so far (all rules): what the cooldown and the cap count. */
export interface FiringHistory {
  firings: readonly { ruleId: string; firedAt: string }[];
  /** Timers fired or skipped: decided once. */
  decided: ReadonlySet<string>;
  /** Timers scheduled (recorded as due later), by timer id: their due time. */
  scheduled: ReadonlyMap<string, string>;
}

export interface TriggerRuleSnapshot {
  ruleId: string;
  /** The rule stream's revision the decision was taken on. */
  revision: number;
  enabled: boolean;
  definition: TriggerRuleDefinition;
}

export interface TriggerSituation {
  rule: TriggerRuleSnapshot;
  /** The timer being decided (derived from rule, customer and cause: `triggerTimerId`). */
  timerId: string;
  cause: TriggerCause;
  facts: TriggerFacts;
  /** When it is due: the cause's time plus the delay (timers: their date plus the delay). */
  dueAt: string;
  now: string;
}

export type TriggerDecision =
  | { kind: 'nothing'; because: 'decided' | 'scheduled' }
  | { kind: 'schedule'; dueAt: string; why: TriggerWhy }
  | { kind: 'fire'; why: TriggerWhy }
  | { kind: 'skip'; reason: SkipReason; why: TriggerWhy };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Every condition the rule gives, judged on the facts (an absent condition is not listed; all listed must hold). */
export function checkConditions(conditions: TriggerConditions, facts: TriggerFacts): ConditionCheck[] {
  const checks: ConditionCheck[] = [];
  const total = conditions.orderTotal;
  if (total) {
    const bounds = [total.min !== undefined ? `≥ ${total.min}` : undefined, total.max !== undefined ? `≤ ${total.max}` : undefined]
      .filter(Boolean)
      .join(' and ');
    const held =
      facts.orderTotal !== undefined &&
      facts.currency === total.currency &&
      (total.min === undefined || facts.orderTotal >= total.min) &&
      (total.max === undefined || facts.orderTotal <= total.max);
    checks.push({
      condition: 'orderTotal',
      expected: `${bounds} ${total.currency}`,
      actual: facts.orderTotal === undefined ? 'none' : `${facts.orderTotal} ${facts.currency ?? ''}`.trim(),
      held,
    });
  }
  if (conditions.products) {
    const bought = facts.productIds ?? [];
    checks.push({
      condition: 'products',
      expected: `any of ${conditions.products.join(', ')}`,
      actual: bought.join(', ') || 'none',
      held: bought.some((p) => conditions.products!.includes(p)),
    });
  }
  const inList = (condition: keyof TriggerConditions, list: string[] | undefined, actual: string | undefined) => {
    if (list) checks.push({ condition, expected: `one of ${list.join(', ')}`, actual: actual ?? 'none', held: actual !== undefined && list.includes(actual) });
  };
  inList('orderSources', conditions.orderSources, facts.orderSource);
  inList('valueTiers', conditions.valueTiers, facts.valueTier);
  inList('caseCategories', conditions.caseCategories, facts.caseCategory);
  inList('casePriorities', conditions.casePriorities, facts.casePriority);
  if (conditions.segmentId !== undefined)
    checks.push({ condition: 'segmentId', expected: conditions.segmentId, actual: facts.segmentId ?? 'none', held: facts.segmentId === conditions.segmentId });
  return checks;
}

/** Whether an event at `at` falls in the rule's active window (from inclusive, until exclusive). */
export function isActiveAt(rule: TriggerRuleDefinition, at: string): boolean {
  const t = Date.parse(at);
  return (rule.activeFrom === undefined || t >= Date.parse(rule.activeFrom)) && (rule.activeUntil === undefined || t < Date.parse(rule.activeUntil));
}

/** When a cause at `at` is due under the rule: its time plus the delay. */
export function dueAtOf(rule: TriggerRuleDefinition, at: string): string {
  return new Date(Date.parse(at) + durationMinutes(rule.delay) * MINUTE).toISOString();
}

/**
 * Whether a rule would act on a cause at all, judged on the event alone (enabled, active then,
 * conditions hold; `at` as `activeAt` says): what the timer table asks before it keeps a timer, so an order that matches no
 * rule leaves nothing behind. The decision itself is `decideTrigger`, on the store.
 */
export function ruleApplies(rule: { enabled: boolean; definition: TriggerRuleDefinition }, at: string, facts: TriggerFacts): boolean {
  return rule.enabled && isActiveAt(rule.definition, at) && checkConditions(rule.definition.conditions, facts).every((c) => c.held);
}

/**
 * The decision for one rule, one customer and one cause, at `now`, in this order:
 * 1. decided before (fired or skipped) → nothing; the timer fires once;
 * 2. the rule is disabled → skip `disabled`; the cause (a timer: its due time) is outside its active window → skip `inactive`;
 *    a condition does not hold → skip `condition-false` (each with the conditions as judged);
 * 3. not due yet → schedule at the due time (once: scheduled already → nothing);
 * 4. due: this rule fired for the customer less than its cooldown ago → skip `cooldown`;
 *    the customer had `firings` or more firings of any rule in the last `days` → skip `frequency-cap`;
 * 5. otherwise fire.
 * Cooldown and cap are judged when the firing is due, on the firings recorded by then.
 */
export function decideTrigger(situation: TriggerSituation, history: FiringHistory): TriggerDecision {
  const { rule, timerId, cause, facts, dueAt, now } = situation;
  if (history.decided.has(timerId)) return { kind: 'nothing', because: 'decided' };
  const definition = rule.definition;
  const conditions = checkConditions(definition.conditions, facts);
  const why: TriggerWhy = { conditions, delayMinutes: durationMinutes(definition.delay) };
  if (!rule.enabled) return { kind: 'skip', reason: 'disabled', why };
  if (!isActiveAt(definition, activeAt(definition, cause, dueAt))) return { kind: 'skip', reason: 'inactive', why };
  if (!conditions.every((c) => c.held)) return { kind: 'skip', reason: 'condition-false', why };
  const t = Date.parse(now);
  if (Date.parse(dueAt) > t) return history.scheduled.has(timerId) ? { kind: 'nothing', because: 'scheduled' } : { kind: 'schedule', dueAt, why };
  if (definition.cooldown) {
    const minutes = durationMinutes(definition.cooldown);
    const last = history.firings
      .filter((f) => f.ruleId === rule.ruleId)
      .reduce<string | undefined>((a, f) => (a === undefined || f.firedAt > a ? f.firedAt : a), undefined);
    const until = last === undefined ? undefined : new Date(Date.parse(last) + minutes * MINUTE).toISOString();
    why.cooldown = { minutes, ...(last !== undefined && { lastFiredAt: last, until }) };
    if (until !== undefined && Date.parse(until) > t) return { kind: 'skip', reason: 'cooldown', why };
  }
  if (definition.frequencyCap) {
    const { firings, days } = definition.frequencyCap;
    const since = t - days * DAY;
    const firedInWindow = history.firings.filter((f) => Date.parse(f.firedAt) > since).length;
    why.cap = { firings, days, firedInWindow };
    if (firedInWindow >= firings) return { kind: 'skip', reason: 'frequency-cap', why };
  }
  return { kind: 'fire', why };
}

/** What the active window judges: an event's time, or a timer's (lapse, anniversary) due time. */
export function activeAt(rule: TriggerRuleDefinition, cause: TriggerCause, dueAt: string): string {
  return rule.on === 'lapse' || rule.on === 'anniversary' ? dueAt : cause.at;
}

/** Namespace of the timer ids (UUID v5): one per rule × customer × cause, the same however often it is derived. */
const TIMER_NAMESPACE = '6f1d2c3b-4a5e-5f60-8a7b-9c0d1e2f3a4b';

/** The timer of a rule for a customer and a cause (for a timer rule: its kind and date). */
export function triggerTimerId(ruleId: string, customerId: string, causeKey: string): string {
  return uuidV5(`${ruleId}/${customerId}/${causeKey}`, TIMER_NAMESPACE);
}

/** The id of the event that records a timer's decision: a repeat (a second tick, another instance) is the same event, stored once. */
export function triggerDecisionEventId(timerId: string, kind: 'scheduled' | 'decided'): string {
  return uuidV5(`${timerId}/${kind}`, TIMER_NAMESPACE);
}

/** A lapse rule's timer date: `lapseDays` after the last order. A new order moves it. */
export function lapseDueAt(lastOrderAt: string, lapseDays: number): string {
  return new Date(Date.parse(lastOrderAt) + lapseDays * DAY).toISOString();
}

/**
 * The next anniversary of `since` strictly after `after` (yearly, same month, day and time of day,
 * UTC; 29 February is the 28th in other years). The first is one year after `since`.
 */
export function nextAnniversary(since: string, after: string): string {
  const base = new Date(since);
  const limit = Date.parse(after);
  for (let years = 1; ; years++) {
    const year = base.getUTCFullYear() + years;
    const lastDay = new Date(Date.UTC(year, base.getUTCMonth() + 1, 0)).getUTCDate();
    const at = Date.UTC(
      year,
      base.getUTCMonth(),
      Math.min(base.getUTCDate(), lastDay),
      base.getUTCHours(),
      base.getUTCMinutes(),
      base.getUTCSeconds(),
      base.getUTCMilliseconds(),
    );
    if (at > limit) return new Date(at).toISOString();
  }
}

/** The kinds of cause a rule reacts to, by event type (the timers have none). */
export const CAUSE_EVENT_OF: Partial<Record<TriggerOn, string>> = {
  'order-placed': 'OrderPlaced',
  'complaint-opened': 'CaseDetailsChanged',
  'case-closed': 'EpisodeClosed',
  'segment-entered': 'SegmentEntered',
};

/**
 * Whether a case category tells a complaint: `complaint` or `complaint-<what>` (`complaint-delivery`).
 * A case is a complaint from the first time its category says so.
 */
export function isComplaintCategory(category: string | null | undefined): boolean {
  return typeof category === 'string' && (category === 'complaint' || category.startsWith('complaint-'));
}
