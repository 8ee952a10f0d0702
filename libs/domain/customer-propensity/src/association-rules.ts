/**
 * Product association rules from baskets (the set of products of each order) and the next best
 * offers they suggest for a customer.
 *
 * For a rule A → B over N baskets:
 *   support(A → B)    = baskets with A and B / N
 *   confidence(A → B) = baskets with A and B / baskets with A     (P(B | A))
 *   lift(A → B)       = confidence / (baskets with B / N)         (> 1: A makes B likelier than usual)
 *
 * Rules are between single products (pairs, both directions): the itemsets of size two Apriori
 * would find with the same minimum support, which is where nearly all usable cross-sell rules of a
 * B2B catalogue are. A pair is counted only when both products reach the minimum support on their
 * own (the Apriori pruning), which keeps the pair count small.
 */

export interface AssociationRule {
  antecedent: string;
  consequent: string;
  /** Baskets holding both. */
  count: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface RuleOptions {
  /** Fraction of baskets, 0–1. Default 0.01. */
  minSupport?: number;
  /** 0–1. Default 0. */
  minConfidence?: number;
  /** Default 1: a basket pair seen once is anecdote, not a rule. */
  minCount?: number;
}

/** Rules A → B over the baskets, best first: confidence, then lift, then support, then names (a stable order for paging). */
export function associationRules(baskets: Iterable<Iterable<string>>, options: RuleOptions = {}): AssociationRule[] {
  const minSupport = options.minSupport ?? 0.01;
  const minConfidence = options.minConfidence ?? 0;
  const minCount = options.minCount ?? 1;
  const sets: string[][] = [];
  const single = new Map<string, number>();
  for (const b of baskets) {
    const items = [...new Set(b)].sort();
    sets.push(items);
    for (const i of items) single.set(i, (single.get(i) ?? 0) + 1);
  }
  const n = sets.length;
  if (n === 0) return [];
  const frequent = (count: number) => count / n >= minSupport && count >= minCount;
  const pairs = new Map<string, number>();
  for (const items of sets) {
    const kept = items.filter((i) => frequent(single.get(i)!));
    for (let a = 0; a < kept.length; a++)
      for (let b = a + 1; b < kept.length; b++) {
        const key = `${kept[a]}\u0000${kept[b]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
  }
  const rules: AssociationRule[] = [];
  for (const [key, count] of pairs) {
    if (!frequent(count)) continue;
    const [x, y] = key.split('\u0000');
    for (const [antecedent, consequent] of [
      [x, y],
      [y, x],
    ]) {
      const confidence = count / single.get(antecedent)!;
      if (confidence < minConfidence) continue;
      rules.push({ antecedent, consequent, count, support: count / n, confidence, lift: confidence / (single.get(consequent)! / n) });
    }
  }
  return rules.sort(compareRules);
}

/** Best rule first: confidence, lift, support, then antecedent and consequent names. */
export function compareRules(a: AssociationRule, b: AssociationRule): number {
  return (
    b.confidence - a.confidence ||
    b.lift - a.lift ||
    b.support - a.support ||
    a.antecedent.localeCompare(b.antecedent) ||
    a.consequent.localeCompare(b.consequent)
  );
}

export interface Offer {
  product: string;
  /** The rule's confidence: P(buys product | owns the antecedent). */
  score: number;
  /** The rule that suggested it. */
  rule: AssociationRule;
}

/**
 * Next best offers for a customer owning `owned`: every product some rule leads to from something
 * it owns, never one it owns, each with its best rule (highest confidence, then lift). Only rules
 * with lift > 1 are used: a rule with lift ≤ 1 says owning A makes B no likelier than for anyone.
 */
export function nextBestOffers(owned: Iterable<string>, rules: readonly AssociationRule[], limit = 5): Offer[] {
  const have = new Set(owned);
  const best = new Map<string, AssociationRule>();
  for (const r of rules) {
    if (!have.has(r.antecedent) || have.has(r.consequent) || !(r.lift > 1)) continue;
    const current = best.get(r.consequent);
    if (!current || compareRules(r, current) < 0) best.set(r.consequent, r);
  }
  return [...best.values()]
    .sort(compareRules)
    .slice(0, limit)
    .map((rule) => ({ product: rule.consequent, score: rule.confidence, rule }));
}
