import type { CustomerFacts } from '../propensity/churn-features';
import { customerProfit, segmentProfit } from './profitability';

const at = (d: string) => new Date(`${d}T10:00:00Z`);
const facts = (over: Partial<CustomerFacts> = {}): CustomerFacts => ({
  customerId: 'c1',
  registeredAt: at('2025-01-01'),
  orders: [],
  episodes: [],
  interactions: [],
  spend: [],
  ...over,
});
const episode = (episodeType: string, opened: string) => ({ episodeType, channel: null, openedAt: at(opened), closedAt: null, outcome: null });
const window = { from: '2026-01-01', to: '2026-12-31' };

describe('customer profitability', () => {
  it('revenue in the window, less a share for the goods and the cases and campaign touches it took to serve', () => {
    const p = customerProfit(
      facts({
        spend: [
          { day: '2025-12-31', amount: 99_999 }, // before the window
          { day: '2026-01-01', amount: 10_000 },
          { day: '2026-12-31', amount: 5_001 },
        ],
        episodes: [
          episode('case', '2026-02-01'),
          episode('return-repair', '2026-03-01'),
          episode('campaign', '2026-04-01'),
          episode('campaign', '2027-01-01'),
          episode('opportunity', '2026-05-01'),
        ],
      }),
      window,
      { goodsShare: 0.6, caseCost: 2_500, touchCost: 50 },
    );
    // 15,001 × 0.6 = 9,000.6 → 9,001; 2 cases × 2,500 + 1 touch × 50 = 5,050; 15,001 − 9,001 − 5,050 = 950
    expect(p).toEqual({
      customerId: 'c1',
      revenue: 15_001,
      purchaseOccasions: 2,
      costOfGoods: 9_001,
      cases: { count: 2, cost: 5_000 },
      campaignTouches: { count: 1, cost: 50 },
      costToServe: 5_050,
      profit: 950,
    });
  });

  it('a customer who only costs: served and mailed, never bought, is a loss; a refund larger than the sales is negative revenue', () => {
    expect(
      customerProfit(facts({ episodes: [episode('case', '2026-06-01'), episode('campaign', '2026-06-02')] }), window, {
        goodsShare: 0.5,
        caseCost: 1_000,
        touchCost: 10,
      }).profit,
    ).toBe(-1_010);
    const refund = customerProfit(facts({ spend: [{ day: '2026-06-01', amount: -301 }] }), window, { goodsShare: 0.5, caseCost: 0, touchCost: 0 });
    // −301 × 0.5 = −150.5 → −151 (half away from zero): the goods came back too
    expect([refund.revenue, refund.costOfGoods, refund.profit]).toEqual([-301, -151, -150]);
  });

  it('sums per segment, most profitable first, with the unprofitable customers counted', () => {
    const row = (segment: string, id: string, revenue: number, costToServe: number) => ({
      segment,
      profit: {
        customerId: id,
        revenue,
        purchaseOccasions: 1,
        costOfGoods: 0,
        cases: { count: 0, cost: 0 },
        campaignTouches: { count: 0, cost: 0 },
        costToServe,
        profit: revenue - costToServe,
      },
    });
    expect(segmentProfit([row('loyal', 'a', 1_000, 100), row('loyal', 'b', 500, 0), row('prospect', 'c', 0, 25), row('prospect', 'd', 0, 0)])).toEqual([
      { segment: 'loyal', customers: 2, unprofitable: 0, revenue: 1_500, costOfGoods: 0, costToServe: 100, profit: 1_400, profitPerCustomer: 700 },
      // −25 / 2 = −12.5 → −13
      { segment: 'prospect', customers: 2, unprofitable: 1, revenue: 0, costOfGoods: 0, costToServe: 25, profit: -25, profitPerCustomer: -13 },
    ]);
  });
});
