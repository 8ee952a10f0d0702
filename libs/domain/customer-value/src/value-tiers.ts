import type { Decider } from '@crm/kernel';

/**
 * Value tiers by CLV rank (issue 11 §4): the service issue uses them for queue priority and service
 * levels, marketing for targeting. A tier is a share of the customers ranked by CLV, highest first:
 * by default the top 1% are platinum, the next to 5% gold, the next to 20% silver, the rest bronze.
 */
export const VALUE_TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

/** Cumulative top shares in percent: platinum ≤ gold ≤ silver ≤ 100; bronze is the rest. */
export interface TierThresholds {
  platinum: number;
  gold: number;
  silver: number;
}

export const DEFAULT_TIER_THRESHOLDS: TierThresholds = { platinum: 1, gold: 5, silver: 20 };
export const TIER_THRESHOLDS_PATTERN = /^platinum:(\d+(?:\.\d+)?),gold:(\d+(?:\.\d+)?),silver:(\d+(?:\.\d+)?)$/;

/** `platinum:1,gold:5,silver:20` (the setting's text) → thresholds, or a RangeError saying what is wrong. */
export function parseTierThresholds(text: string): TierThresholds {
  const m = TIER_THRESHOLDS_PATTERN.exec(text.replace(/\s+/g, ''));
  if (!m) throw new RangeError(`value tiers must read platinum:<percent>,gold:<percent>,silver:<percent> (got ${text})`);
  const t = { platinum: Number(m[1]), gold: Number(m[2]), silver: Number(m[3]) };
  if (!(t.platinum <= t.gold && t.gold <= t.silver && t.silver <= 100))
    throw new RangeError(`value tiers must grow: platinum <= gold <= silver <= 100 (got ${text})`);
  return t;
}

export interface RankedValue {
  customerId: string;
  clv: number;
}

/**
 * Ranks customers by CLV (highest first, ties by customer id so the order is stable) and gives each
 * its tier: rank r (1-based) of n is platinum when r ≤ ⌈n · platinum% ⌉, and so on. Rounding up means
 * even a small base has a platinum customer; a customer with CLV 0 is bronze whatever its rank.
 */
export function assignTiers<T extends RankedValue>(
  customers: readonly T[],
  thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
): (T & { rank: number; tier: ValueTier })[] {
  const n = customers.length;
  const cut = (percent: number) => Math.ceil((n * percent) / 100);
  const limits = { platinum: cut(thresholds.platinum), gold: cut(thresholds.gold), silver: cut(thresholds.silver) };
  return [...customers]
    .sort((p, q) => q.clv - p.clv || (p.customerId < q.customerId ? -1 : p.customerId > q.customerId ? 1 : 0))
    .map((c, i) => {
      const rank = i + 1;
      const tier: ValueTier = !(c.clv > 0)
        ? 'bronze'
        : rank <= limits.platinum
          ? 'platinum'
          : rank <= limits.gold
            ? 'gold'
            : rank <= limits.silver
              ? 'silver'
              : 'bronze';
      return { ...c, rank, tier };
    });
}

/** The stream of one customer's value tier: `customervalue-<customerId>`. */
export const valueTierStream = (customerId: string): string => `customervalue-${customerId}`;

export interface AssignValueTier {
  type: 'AssignValueTier';
  data: {
    customerId: string;
    tier: ValueTier;
    /** The CLV the tier was given for, in minor units of the reporting currency, and its rank. */
    clv: number;
    rank: number;
    customers: number;
    reportingCurrency: string;
    /** The fit of the models the valuation came from (an instant). */
    modelFittedAt: string;
    assignedAt: string;
  };
}

export interface CustomerValueTierChanged {
  type: 'CustomerValueTierChanged';
  data: AssignValueTier['data'] & { previousTier?: ValueTier };
}

export interface ValueTierState {
  tier: ValueTier | null;
}

/** Records a tier only when it differs from the customer's current one: recomputing with no change records nothing. */
export const valueTierDecider: Decider<ValueTierState, AssignValueTier, CustomerValueTierChanged> = {
  initialState: { tier: null },
  decide(command, state) {
    if (state.tier === command.data.tier) return [];
    return [{ type: 'CustomerValueTierChanged', data: { ...command.data, ...(state.tier && { previousTier: state.tier }) } }];
  },
  evolve(_state, event) {
    return { tier: event.data.tier };
  },
};
