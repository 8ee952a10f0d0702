import { CASE_PRIORITIES, CUSTOMER_VALUE_TIERS, type CasePriority, type CustomerValueTier } from '@crm/kernel';

/** The three clocks of a case. */
export const SLA_METRICS = ['first-response', 'next-response', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

/**
 * A service level: which cases it is for (any criterion left out matches every case) and its targets
 * in business minutes of its calendar.
 */
export interface ServiceLevelPolicy {
  policyId: string;
  tier?: CustomerValueTier;
  priority?: CasePriority;
  /** The channel the case came in on (`phone`, `email`, …). */
  channel?: string;
  /** The business calendar its minutes are counted in (`24x7` is built in). */
  calendarId: string;
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number;
  /** The share of a target after which the case is `warning` (and `CaseSlaWarning` is recorded), 1 … 99. */
  warningPercent: number;
}

/** What an escalation rule does after a breach: give the case to another team, or tell someone. */
export interface EscalationRule {
  ruleId: string;
  metric: SlaMetric;
  /** Only for customers of this tier (any tier when left out). */
  tier?: CustomerValueTier;
  action: 'reassign' | 'notify';
  /** `reassign`: the team (queue) the case goes to. */
  team?: string;
  /** `notify`: who is told (a user id or a team's address). */
  notify?: string;
}

/**
 * The tier of a customer analytics has not scored (no `CustomerValueTierChanged` yet): `bronze`, the
 * plainest service level, so that being unscored never buys a faster one.
 */
export const DEFAULT_VALUE_TIER: CustomerValueTier = 'bronze';

/**
 * The policy of a case that no configured policy matches (and of every case before any policy is
 * set): round the clock, first response within 8 hours, next response within 8 hours, resolution
 * within 5 days, warning at 80%.
 */
export const FALLBACK_POLICY: ServiceLevelPolicy = {
  policyId: 'fallback',
  calendarId: '24x7',
  firstResponseMinutes: 480,
  nextResponseMinutes: 480,
  resolutionMinutes: 7200,
  warningPercent: 80,
};

export interface CaseCriteria {
  tier: CustomerValueTier;
  priority: CasePriority;
  channel: string;
}

/**
 * The policy of a case. A policy matches when every criterion it states (tier, priority, channel)
 * is the case's. Of the matching ones the most specific wins: the one stating the most criteria; on
 * a tie, tier outweighs priority, which outweighs channel (weights 4, 2, 1 — so "platinum" beats
 * "urgent", and "platinum + phone" beats "platinum"); on a tie still, the one listed first. None
 * matching: `FALLBACK_POLICY`.
 */
export function matchPolicy(policies: readonly ServiceLevelPolicy[], c: CaseCriteria): ServiceLevelPolicy {
  let best: ServiceLevelPolicy | undefined;
  let bestScore = -1;
  for (const p of policies) {
    if (p.tier !== undefined && p.tier !== c.tier) continue;
    if (p.priority !== undefined && p.priority !== c.priority) continue;
    if (p.channel !== undefined && p.channel !== c.channel) continue;
    const stated = (p.tier ? 1 : 0) + (p.priority ? 1 : 0) + (p.channel ? 1 : 0);
    const score = stated * 8 + (p.tier ? 4 : 0) + (p.priority ? 2 : 0) + (p.channel ? 1 : 0);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best ?? FALLBACK_POLICY;
}

/** The escalation rules that a breach of `metric` for a customer of `tier` sets off, in their order. */
export function escalationsFor(rules: readonly EscalationRule[], metric: SlaMetric, tier: CustomerValueTier): EscalationRule[] {
  return rules.filter((r) => r.metric === metric && (r.tier === undefined || r.tier === tier));
}

/** What is wrong with a set of policies and escalation rules, as `field: problem` lines. */
export function policyProblems(policies: readonly ServiceLevelPolicy[], escalations: readonly EscalationRule[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  policies.forEach((p, i) => {
    if (ids.has(p.policyId)) problems.push(`policies.${i}.policyId: ${p.policyId} is listed twice`);
    ids.add(p.policyId);
    if (p.tier !== undefined && !(CUSTOMER_VALUE_TIERS as readonly string[]).includes(p.tier)) problems.push(`policies.${i}.tier: unknown tier`);
    if (p.priority !== undefined && !(CASE_PRIORITIES as readonly string[]).includes(p.priority)) problems.push(`policies.${i}.priority: unknown priority`);
    const same = policies.findIndex((q) => q.tier === p.tier && q.priority === p.priority && q.channel === p.channel);
    if (same !== i) problems.push(`policies.${i}: matches the same cases as policies.${same}`);
  });
  const ruleIds = new Set<string>();
  escalations.forEach((r, i) => {
    if (ruleIds.has(r.ruleId)) problems.push(`escalations.${i}.ruleId: ${r.ruleId} is listed twice`);
    ruleIds.add(r.ruleId);
    if (r.action === 'reassign' && !r.team) problems.push(`escalations.${i}.team: a reassignment names the team`);
    if (r.action === 'notify' && !r.notify) problems.push(`escalations.${i}.notify: a notification names whom to tell`);
  });
  return problems;
}
