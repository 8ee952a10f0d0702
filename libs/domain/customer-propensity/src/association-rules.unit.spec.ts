import { associationRules, nextBestOffers } from './association-rules';

// Five orders, worked by hand:
//   bread: 1,2,3,4 (4)   milk: 1,2,5 (3)   butter: 2,3,4 (3)   jam: 3 (1)   beer: 5 (1)
//   bread+butter: 2,3,4 (3)   bread+milk: 1,2 (2)   milk+butter: 2 (1)   bread+jam, butter+jam: 3 (1)   milk+beer: 5 (1)
const BASKETS = [
  ['bread', 'milk'],
  ['bread', 'milk', 'butter'],
  ['bread', 'butter', 'jam'],
  ['bread', 'butter', 'butter'],
  ['milk', 'beer'],
];

describe('association rules', () => {
  it('gives support, confidence and lift of pairs in both directions, by hand', () => {
    const rules = associationRules(BASKETS, { minSupport: 0.4 });
    // Only pairs with support ≥ 2/5: bread+butter (3/5) and bread+milk (2/5)
    expect(rules).toEqual([
      // butter → bread: 3/3 = 1; lift 1 / (4/5) = 1.25
      { antecedent: 'butter', consequent: 'bread', count: 3, support: 0.6, confidence: 1, lift: 1.25 },
      // bread → butter: 3/4; lift 0.75 / (3/5) = 1.25
      { antecedent: 'bread', consequent: 'butter', count: 3, support: 0.6, confidence: 0.75, lift: 1.25 },
      // milk → bread: 2/3; lift (2/3) / (4/5) = 5/6
      { antecedent: 'milk', consequent: 'bread', count: 2, support: 0.4, confidence: 2 / 3, lift: expect.closeTo(5 / 6, 12) },
      // bread → milk: 2/4; lift 0.5 / (3/5) = 5/6
      { antecedent: 'bread', consequent: 'milk', count: 2, support: 0.4, confidence: 0.5, lift: expect.closeTo(5 / 6, 12) },
    ]);
  });

  it('applies minimum support to items and pairs, and minimum confidence to rules', () => {
    const all = associationRules(BASKETS, { minSupport: 0 });
    expect(all).toHaveLength(12); // 6 pairs, both directions
    expect(all.find((r) => r.antecedent === 'beer')).toEqual({ antecedent: 'beer', consequent: 'milk', count: 1, support: 0.2, confidence: 1, lift: 5 / 3 });
    expect(associationRules(BASKETS, { minSupport: 0.4, minConfidence: 0.7 }).map((r) => `${r.antecedent}→${r.consequent}`)).toEqual([
      'butter→bread',
      'bread→butter',
    ]);
    expect(associationRules(BASKETS, { minSupport: 0, minCount: 2 })).toHaveLength(4);
    expect(associationRules([], {})).toEqual([]);
  });

  it('offers what the rules suggest from what a customer owns, never what it owns, with the rule', () => {
    const rules = associationRules(BASKETS, { minSupport: 0 });
    const offers = nextBestOffers(['butter'], rules);
    // butter → bread (1, lift 1.25), butter → jam (1/3, lift 5/3), butter → milk (1/3, lift 5/9 ≤ 1: not used)
    expect(offers.map((o) => [o.product, o.score, `${o.rule.antecedent}→${o.rule.consequent}`])).toEqual([
      ['bread', 1, 'butter→bread'],
      ['jam', 1 / 3, 'butter→jam'],
    ]);
    // owning bread too: bread is not offered; bread → jam (1/4) loses to butter → jam (1/3)
    expect(nextBestOffers(['butter', 'bread'], rules).map((o) => [o.product, `${o.rule.antecedent}→${o.rule.consequent}`])).toEqual([['jam', 'butter→jam']]);
    expect(nextBestOffers(['butter'], rules, 1)).toHaveLength(1);
    expect(nextBestOffers([], rules)).toEqual([]);
  });
});
