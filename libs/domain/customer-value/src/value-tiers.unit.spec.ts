import { assignTiers, parseTierThresholds, valueTierDecider } from './value-tiers';

describe('value tiers', () => {
  const customers = Array.from({ length: 100 }, (_, i) => ({ customerId: `c${String(i).padStart(3, '0')}`, clv: 1000 - i }));

  it('gives the top 1% platinum, to 5% gold, to 20% silver, the rest bronze', () => {
    const ranked = assignTiers(customers);
    const count = (tier: string) => ranked.filter((c) => c.tier === tier).length;
    expect([count('platinum'), count('gold'), count('silver'), count('bronze')]).toEqual([1, 4, 15, 80]);
    expect(ranked[0]).toMatchObject({ customerId: 'c000', rank: 1, tier: 'platinum' });
    expect(ranked[19]).toMatchObject({ rank: 20, tier: 'silver' });
    expect(ranked[20]).toMatchObject({ rank: 21, tier: 'bronze' });
  });

  it('ranks ties by customer id, rounds shares up, and never tiers a CLV of 0 above bronze', () => {
    const ranked = assignTiers([
      { customerId: 'b', clv: 5 },
      { customerId: 'a', clv: 5 },
      { customerId: 'z', clv: 0 },
    ]);
    expect(ranked.map((c) => [c.customerId, c.tier])).toEqual([
      ['a', 'platinum'],
      ['b', 'bronze'], // rank 2 of 3 is outside the top ⌈3 × 20%⌉ = 1
      ['z', 'bronze'],
    ]);
  });

  it('reads configured thresholds and refuses ones that do not grow', () => {
    expect(parseTierThresholds('platinum:2,gold:10,silver:30')).toEqual({ platinum: 2, gold: 10, silver: 30 });
    expect(() => parseTierThresholds('platinum:10,gold:5,silver:30')).toThrow(/grow/);
    expect(() => parseTierThresholds('gold:5')).toThrow(/platinum/);
    const ranked = assignTiers(customers, { platinum: 10, gold: 10, silver: 50 });
    expect(ranked.filter((c) => c.tier === 'gold')).toHaveLength(0);
    expect(ranked.filter((c) => c.tier === 'platinum')).toHaveLength(10);
  });
});

describe('valueTierDecider', () => {
  const data = {
    customerId: 'c1',
    tier: 'gold' as const,
    clv: 12_345,
    rank: 3,
    customers: 100,
    reportingCurrency: 'EUR',
    modelFittedAt: '2026-03-01T00:00:00.000Z',
    assignedAt: '2026-03-01T00:00:00.000Z',
  };

  it('records the first tier, then only changes, naming the previous tier', () => {
    const first = valueTierDecider.decide({ type: 'AssignValueTier', data }, valueTierDecider.initialState);
    expect(first).toEqual([{ type: 'CustomerValueTierChanged', data }]);
    const state = first.reduce(valueTierDecider.evolve, valueTierDecider.initialState);
    expect(valueTierDecider.decide({ type: 'AssignValueTier', data: { ...data, clv: 99 } }, state)).toEqual([]);
    const changed = valueTierDecider.decide({ type: 'AssignValueTier', data: { ...data, tier: 'platinum' } }, state);
    expect(changed[0].data).toMatchObject({ tier: 'platinum', previousTier: 'gold' });
  });
});
