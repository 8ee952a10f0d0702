import { campaignStatistics, type MessageFacts, type RecipientFacts } from './campaign-statistics';

const message = (extra: Partial<MessageFacts> = {}): MessageFacts => ({
  stepId: 'mail-1',
  status: 'sent',
  opened: false,
  clicked: false,
  responded: false,
  cost: 5,
  ...extra,
  variantId: extra.variantId ?? 'a',
});
let n = 0;
/** `variantId` undefined: a member of the control group. */
const recipient = (variantId: string | undefined, messages: MessageFacts[], revenue?: number): RecipientFacts => ({
  customerId: `c${++n}`,
  control: variantId === undefined,
  messages: variantId === undefined ? [] : messages.map((m) => ({ ...m, variantId })),
  conversions: revenue === undefined ? [] : [{ orderId: `o${n}`, revenue }],
});
const many = (count: number, make: (i: number) => RecipientFacts) => Array.from({ length: count }, (_, i) => make(i));

describe('campaign statistics', () => {
  it('counts the funnel: suppressed by reason, bounced apart from delivered, responses only on delivered messages', () => {
    const stats = campaignStatistics([
      recipient('a', [message({ opened: true, clicked: true })]),
      recipient('a', [message({ status: 'bounced', opened: true, cost: 5 })]),
      recipient('a', [message({ status: 'suppressed', suppressedBecause: 'no-consent', cost: 0 })]),
      recipient('b', [message({ status: 'suppressed', suppressedBecause: 'frequency-cap', cost: 0 })]),
      recipient('b', [message({ status: 'suppressed', suppressedBecause: 'no-consent', cost: 0 })]),
      recipient('b', [message({ status: 'pending', cost: 0 }), message({ stepId: 'sms-2', responded: true, cost: 7 })]),
    ]);
    expect(stats.funnel).toEqual({
      audience: 7,
      suppressed: 3,
      suppressedBy: { 'no-consent': 2, 'frequency-cap': 1 },
      pending: 1,
      sent: 3,
      delivered: 2,
      bounced: 1,
      opened: 1,
      clicked: 1,
      responded: 1,
      cost: 17,
    });
    expect(stats.byStep.map((s) => [s.stepId, s.funnel.audience, s.byVariant.map((v) => [v.variantId, v.funnel.sent])])).toEqual([
      [
        'mail-1',
        6,
        [
          ['a', 2],
          ['b', 0],
        ],
      ],
      ['sms-2', 1, [['b', 1]]],
    ]);
    expect(stats.byStep[0].byVariant.map((v) => [v.variantId, v.openRate.count, v.openRate.of, v.recipients])).toEqual([
      ['a', 1, 1, 3],
      ['b', 0, 0, 3],
    ]);
    // each step counts the recipients it reached
    expect(stats.byStep[1].byVariant.map((v) => [v.variantId, v.recipients])).toEqual([['b', 1]]);
  });

  it('measures uplift against the hold-out group with an interval that excludes zero only when the data does', () => {
    // Control: 48 of 80 bought; variant a: 56 of 70 — Newcombe's example (a): +0.2000 [0.0524, 0.3339]
    const clear = campaignStatistics([
      ...many(80, (i) => recipient(undefined, [], i < 48 ? 1000 : undefined)),
      ...many(70, (i) => recipient('a', [message()], i < 56 ? 1000 : undefined)),
    ]);
    const a = clear.byStep[0].byVariant[0];
    expect(a.uplift!.difference).toBeCloseTo(0.2, 12);
    expect(a.uplift!.lower).toBeCloseTo(0.0524, 4);
    expect(a.uplift!.upper).toBeCloseTo(0.3339, 4);
    expect(a.pValue).toBeCloseTo(0.008, 3);
    // The control rate (0.6) would have given 42 of the 70 anyway: 14 conversions and their revenue are the campaign's.
    expect(a.incrementalConversions).toBeCloseTo(14, 9);
    expect(a.incrementalRevenue).toBe(56 * 1000 - 0.6 * 1000 * 70);
    expect(clear.control).toMatchObject({ recipients: 80, revenue: 48_000, converted: { count: 48, of: 80 } });

    // The same rates on a tenth of the people: the interval now spans zero.
    const small = campaignStatistics([
      ...many(10, (i) => recipient(undefined, [], i < 6 ? 1000 : undefined)),
      ...many(7, (i) => recipient('a', [message()], i < 6 ? 1000 : undefined)),
    ]);
    expect(small.byStep[0].byVariant[0].uplift!.lower).toBeLessThan(0);
    expect(small.byStep[0].byVariant[0].uplift!.upper).toBeGreaterThan(0);
  });

  it('gives ROI on cost, and incremental ROI on what the control group says would have been earned anyway', () => {
    const stats = campaignStatistics([
      ...many(100, (i) => recipient(undefined, [], i < 10 ? 2_000 : undefined)),
      ...many(100, (i) => recipient('a', [message({ cost: 100 })], i < 20 ? 2_000 : undefined)),
    ]);
    expect(stats.revenue).toBe(40_000);
    expect(stats.cost).toBe(10_000);
    expect(stats.roi).toBeCloseTo(3, 12);
    expect(stats.treated.incrementalRevenue).toBe(20_000);
    expect(stats.incrementalRoi).toBeCloseTo(1, 12);
  });

  it('has no uplift without a control group, and no ROI without cost', () => {
    const stats = campaignStatistics([recipient('a', [message({ cost: 0 })], 500)]);
    expect(stats.control).toBeUndefined();
    expect(stats.byStep[0].byVariant[0].uplift).toBeUndefined();
    expect(stats.roi).toBeUndefined();
    expect(stats.byStep[0].byVariant[0].converted).toMatchObject({ count: 1, of: 1, rate: 1 });
  });
});
