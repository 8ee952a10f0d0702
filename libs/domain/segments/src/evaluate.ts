import type { CustomerFacts } from './facts';
import { rfmScores, type RfmScores } from './rfm';
import { DEFAULT_RFM_PERIOD_DAYS, inWindow, type ScoreRange, type SegmentRule } from './rule';

/** What a rule needs beyond one customer's facts: the population's RFM scores, and the currency they count. */
export interface EvaluationContext {
  /** The RFM scores of every buying customer over `periodDays` (computed once per period and `now`). */
  rfm(periodDays: number): ReadonlyMap<string, RfmScores>;
}

/** A context over a whole population: RFM scored lazily, once per period. */
export function populationContext(population: readonly CustomerFacts[], now: Date, currency: string): EvaluationContext {
  const cache = new Map<number, Map<string, RfmScores>>();
  return {
    rfm(periodDays) {
      let scores = cache.get(periodDays);
      if (!scores) cache.set(periodDays, (scores = rfmScores(population, now, periodDays, currency)));
      return scores;
    },
  };
}

const inRange = (score: number, range: ScoreRange | undefined) => range === undefined || (score >= (range.min ?? 1) && score <= (range.max ?? 5));

/**
 * Whether one customer's facts satisfy a (valid) rule at `now`. Facts dated after `now` never count.
 * A merged customer matches nothing (its facts are its survivor's). The same meaning as `compileRule`.
 */
export function matches(rule: SegmentRule, facts: CustomerFacts, now: Date, context: EvaluationContext): boolean {
  if (facts.mergedInto) return false;
  return holds(rule, facts, now, context);
}

function holds(rule: SegmentRule, c: CustomerFacts, now: Date, ctx: EvaluationContext): boolean {
  if ('all' in rule) return rule.all.every((r) => holds(r, c, now, ctx));
  if ('any' in rule) return rule.any.some((r) => holds(r, c, now, ctx));
  if ('not' in rule) return !holds(rule.not, c, now, ctx);
  if ('kind' in rule) return c.kind === rule.kind;
  if ('tags' in rule) return 'contains' in rule.tags ? c.tags.includes(rule.tags.contains) : rule.tags.anyOf.some((t) => c.tags.includes(t));
  if ('owner' in rule) return c.owner === rule.owner;
  if ('registered' in rule) {
    const at = Date.parse(c.registeredAt);
    const { before, after } = rule.registered;
    return (before === undefined || at < Date.parse(before)) && (after === undefined || at >= Date.parse(after));
  }
  if ('journeyStage' in rule) return (rule.journeyStage.in as readonly string[]).includes(c.journeyStage);
  if ('relationshipPhase' in rule) return (rule.relationshipPhase.in as readonly string[]).includes(c.relationshipPhase);
  if ('valueTier' in rule) return c.valueTier !== null && (rule.valueTier.in as readonly string[]).includes(c.valueTier);
  if ('churnRisk' in rule) return c.churnRisk != null && (rule.churnRisk.in as readonly string[]).includes(c.churnRisk);
  if ('rfm' in rule) {
    const s = ctx.rfm(rule.rfm.periodDays ?? DEFAULT_RFM_PERIOD_DAYS).get(c.customerId);
    return s !== undefined && inRange(s.r, rule.rfm.r) && inRange(s.f, rule.rfm.f) && inRange(s.m, rule.rfm.m);
  }
  if ('purchased' in rule) {
    const p = rule.purchased;
    const orders = new Set<string>();
    let amount = 0;
    for (const o of c.orders) {
      if (o.cancelled || o.fullyReturned || (p.currency !== undefined && o.currency !== p.currency) || !inWindow(Date.parse(o.orderDate), p.window, now))
        continue;
      for (const l of o.lines) {
        if (l.total - l.returned <= 0 || (p.productId !== undefined && l.productId !== p.productId)) continue;
        orders.add(o.orderId);
        amount += l.total - l.returned;
      }
    }
    return orders.size >= (p.minCount ?? 1) && (p.minAmount === undefined || amount >= p.minAmount);
  }
  if ('interactions' in rule) {
    const q = rule.interactions;
    const count = c.interactions.filter(
      (i) =>
        (q.channel === undefined || i.channel === q.channel) &&
        (q.direction === undefined || i.direction === q.direction) &&
        (q.episodeType === undefined || i.episodeType === q.episodeType) &&
        inWindow(Date.parse(i.occurredAt), q.window, now),
    ).length;
    return count >= (q.minCount ?? 1);
  }
  if ('campaignResponse' in rule) {
    const q = rule.campaignResponse;
    const count = c.interactions.filter(
      (i) =>
        i.direction === 'inbound' &&
        i.episodeType === 'campaign' &&
        (q.campaignId === undefined || i.campaignId === q.campaignId) &&
        inWindow(Date.parse(i.occurredAt), q.window, now),
    ).length;
    return count >= (q.minCount ?? 1);
  }
  if ('consent' in rule) return c.consents.some((k) => k.channel === rule.consent.channel && k.purpose === rule.consent.purpose && k.status === 'granted');
  const never: never = rule;
  throw new Error(`unknown condition ${JSON.stringify(never)}`);
}

/** The customers of a population a rule selects at `now`, by customer id. */
export function evaluate(rule: SegmentRule, population: readonly CustomerFacts[], now: Date, currency: string): string[] {
  const ctx = populationContext(population, now, currency);
  return population
    .filter((c) => matches(rule, c, now, ctx))
    .map((c) => c.customerId)
    .sort();
}
