import { customerFacts, orderFacts } from './testing';
import { compileRule, factsTables } from './compile-sql';
import { evaluate, matches, populationContext } from './evaluate';
import type { CustomerFacts } from './facts';
import { midRankScores, rfmScores } from './rfm';
import { dependsOnTime, InvalidRuleError, MAX_RULE_CONDITIONS, ruleErrors, validateRule, type SegmentRule } from './rule';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const daysAgo = (n: number, from: Date = NOW) => new Date(from.getTime() - n * 86_400_000).toISOString();

/** Given a customer's facts, when the rule is judged at `now` (alone in its population), then … */
const judge = (rule: unknown, facts: CustomerFacts, now: Date = NOW, population: CustomerFacts[] = [facts]) =>
  matches(validateRule(rule), facts, now, populationContext(population, now, 'EUR'));

describe('segment rules: validation names the JSON path', () => {
  it.each<[unknown, string, RegExp]>([
    [{ all: [{ kind: 'person' }, { colour: 'red' }] }, 'rule.all[1].colour', /unknown condition/],
    [{ purchased: { productId: 'X', window: { lastDays: 0 } } }, 'rule.purchased.window.lastDays', /whole number/],
    [{ purchased: { minAmount: 100 } }, 'rule.purchased.currency', /needs its currency/],
    [{ purchased: { currency: 'XAU' } }, 'rule.purchased.currency', /ISO 4217/],
    [{ tags: { contains: 'a\u0000b' } }, 'rule.tags.contains', /printable/],
    [{ tags: { contains: 'a\ud800' } }, 'rule.tags.contains', /printable/],
    [{ any: [[{ kind: 'person' }]] }, 'rule.any[0]', /not an array/],
    [{ all: [] }, 'rule.all', /non-empty/],
    [{ not: { kind: 'robot' } }, 'rule.not.kind', /one of person, organisation/],
    [{ kind: 'person', owner: 'x' }, 'rule', /exactly one key/],
    [{ rfm: { r: { min: 4, max: 2 } } }, 'rule.rfm.r.max', /not be below min/],
    [{ rfm: { f: { min: 6 } } }, 'rule.rfm.f.min', /1 to 5/],
    [{ rfm: {} }, 'rule.rfm', /needs r, f/],
    [{ interactions: { channel: 'pigeon' } }, 'rule.interactions.channel', /one of face-to-face/],
    [{ consent: { channel: 'email' } }, 'rule.consent.purpose', /required/],
    [{ consent: { channel: 'email', purpose: 'Offers!' } }, 'rule.consent.purpose', /slug/],
    [{ registered: { before: 'yesterday' } }, 'rule.registered.before', /ISO 8601/],
    [{ purchased: { window: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } } }, 'rule.purchased.window.to', /after from/],
    [{ valueTier: { in: ['diamond'] } }, 'rule.valueTier.in[0]', /platinum/],
    [{ churnRisk: { in: ['severe'] } }, 'rule.churnRisk.in[0]', /low, medium, high/],
    [{ churnRisk: { in: [] } }, 'rule.churnRisk.in', /non-empty array/],
    [{ journeyStage: { in: 'prospect' } }, 'rule.journeyStage.in', /non-empty array/],
    [{ purchased: { productId: 'X', extra: 1 } }, 'rule.purchased.extra', /unknown field/],
    ['everyone', 'rule', /JSON object/],
  ])('%j → %s', (rule, field, message) => {
    const errors = ruleErrors(rule);
    expect(errors).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('refuses more than 10 levels without walking a 2,000-deep tree', () => {
    let deep: unknown = { kind: 'person' };
    for (let i = 0; i < 2000; i++) deep = { not: deep };
    expect(ruleErrors(deep)).toEqual([{ field: `rule${'.not'.repeat(10)}`, message: expect.stringMatching(/at most 10 deep/) }]);
    let ten: unknown = { kind: 'person' };
    for (let i = 0; i < 9; i++) ten = { not: ten };
    expect(ruleErrors(ten)).toEqual([]);
  });

  it(`refuses more than ${MAX_RULE_CONDITIONS} conditions`, () => {
    const conditions = Array.from({ length: 60 }, () => ({ kind: 'person' }));
    expect(ruleErrors({ all: [{ any: conditions }, { any: conditions }] })).toContainEqual({
      field: 'rule.all[1].any[40].kind',
      message: expect.stringMatching(/at most 100/),
    });
    expect(() => validateRule({ all: [{ kind: 'person' }, { kinda: 1 }] })).toThrow(InvalidRuleError);
  });

  it('says which rules move with time alone', () => {
    expect(dependsOnTime({ all: [{ kind: 'person' }, { purchased: {} }] })).toBe(false);
    expect(dependsOnTime({ not: { purchased: { window: { lastDays: 30 } } } })).toBe(true);
    expect(dependsOnTime({ any: [{ rfm: { r: { min: 4 } } }] })).toBe(true);
  });
});

describe('segment rules: each condition, given / when / then', () => {
  it('kind, owner (null: nobody), tags contains / anyOf', () => {
    const org = customerFacts('c1', { kind: 'organisation', owner: 'sari', tags: ['vip', 'fleet'] });
    expect(judge({ kind: 'organisation' }, org)).toBe(true);
    expect(judge({ kind: 'person' }, org)).toBe(false);
    expect(judge({ owner: 'sari' }, org)).toBe(true);
    expect(judge({ owner: null }, org)).toBe(false);
    expect(judge({ owner: null }, customerFacts('c2'))).toBe(true);
    expect(judge({ tags: { contains: 'vip' } }, org)).toBe(true);
    expect(judge({ tags: { contains: 'VIP' } }, org)).toBe(false);
    expect(judge({ tags: { anyOf: ['x', 'fleet'] } }, org)).toBe(true);
    expect(judge({ tags: { anyOf: ['x'] } }, org)).toBe(false);
  });

  it('registered before (excluded) and after (included)', () => {
    const c = customerFacts('c1', { registeredAt: '2026-03-01T00:00:00.000Z' });
    expect(judge({ registered: { before: '2026-03-01T00:00:00Z' } }, c)).toBe(false);
    expect(judge({ registered: { after: '2026-03-01T00:00:00Z' } }, c)).toBe(true);
    expect(judge({ registered: { after: '2026-02-01T00:00:00Z', before: '2026-03-01T00:00:01Z' } }, c)).toBe(true);
  });

  it('journey stage, relationship phase, value tier (no tier never matches, not even under not)', () => {
    const c = customerFacts('c1', { journeyStage: 'repeat-customer', relationshipPhase: 'expansion', valueTier: 'gold' });
    expect(judge({ journeyStage: { in: ['repeat-customer', 'loyal-customer'] } }, c)).toBe(true);
    expect(judge({ relationshipPhase: { in: ['commitment'] } }, c)).toBe(false);
    expect(judge({ valueTier: { in: ['platinum', 'gold'] } }, c)).toBe(true);
    const untiered = customerFacts('c2');
    expect(judge({ valueTier: { in: ['gold'] } }, untiered)).toBe(false);
    expect(judge({ not: { valueTier: { in: ['gold'] } } }, untiered)).toBe(true);
  });

  it('churn risk: the band analytics last recorded; a customer never assessed matches no band, and so every not', () => {
    const atRisk = customerFacts('c1', { churnRisk: 'high' });
    expect(judge({ churnRisk: { in: ['high'] } }, atRisk)).toBe(true);
    expect(judge({ churnRisk: { in: ['low', 'medium'] } }, atRisk)).toBe(false);
    const unassessed = customerFacts('c2');
    expect(judge({ churnRisk: { in: ['low', 'medium', 'high'] } }, unassessed)).toBe(false);
    expect(judge({ not: { churnRisk: { in: ['high'] } } }, unassessed)).toBe(true);
  });

  it('purchased: product, last N days (now included), between instants, min count and amount, cancelled and returned orders left out', () => {
    const c = customerFacts('c1', {
      orders: [
        orderFacts('o1', daysAgo(10), 5000, { productId: 'VAN' }),
        orderFacts('o2', daysAgo(40), 7000, { productId: 'VAN' }),
        orderFacts('o3', daysAgo(5), 9000, { productId: 'VAN', cancelled: true }),
        orderFacts('o4', daysAgo(3), 4000, { productId: 'VAN', fullyReturned: true, returned: 4000 }),
        orderFacts('o5', daysAgo(2), 3000, { productId: 'TYRE', currency: 'USD' }),
        orderFacts('o6', daysAgo(-1), 3000, { productId: 'VAN' }), // tomorrow: not yet
      ],
    });
    expect(judge({ purchased: { productId: 'VAN', window: { lastDays: 30 } } }, c)).toBe(true);
    expect(judge({ purchased: { productId: 'VAN', window: { lastDays: 30 }, minCount: 2 } }, c)).toBe(false);
    expect(judge({ purchased: { productId: 'VAN', window: { lastDays: 60 }, minCount: 2 } }, c)).toBe(true);
    expect(judge({ purchased: { productId: 'VAN', window: { lastDays: 60 }, minCount: 3 } }, c)).toBe(false);
    expect(judge({ purchased: { productId: 'VAN', minAmount: 12000, currency: 'EUR' } }, c)).toBe(true);
    expect(judge({ purchased: { productId: 'VAN', minAmount: 12001, currency: 'EUR' } }, c)).toBe(false);
    expect(judge({ purchased: { productId: 'TYRE', currency: 'EUR' } }, c)).toBe(false);
    expect(judge({ purchased: { productId: 'TYRE' } }, c)).toBe(true);
    expect(judge({ purchased: { window: { from: daysAgo(41), to: daysAgo(39) } } }, c)).toBe(true);
    expect(judge({ purchased: { window: { from: daysAgo(9) } } }, c)).toBe(true);
    expect(judge({ purchased: { productId: 'VAN', window: { from: daysAgo(9) } } }, c)).toBe(false);
    // a window ending exactly at an order's time leaves it out; 10 days back to the instant, in
    expect(judge({ purchased: { productId: 'VAN', window: { to: daysAgo(10), from: daysAgo(20) } } }, c)).toBe(false);
    expect(judge({ purchased: { productId: 'VAN', window: { lastDays: 10 } } }, c)).toBe(false);
    expect(judge({ purchased: { productId: 'VAN', window: { lastDays: 11 } } }, c)).toBe(true);
  });

  it('purchased: a partly returned line counts its net; a line returned in full does not count', () => {
    const order = orderFacts('o1', daysAgo(1), 10000, { productId: 'VAN', returned: 4000 });
    const partly = customerFacts('c1', { orders: [{ ...order, lines: [{ lineId: '1', productId: 'VAN', total: 10000, returned: 4000 }] }] });
    expect(judge({ purchased: { productId: 'VAN', minAmount: 6000, currency: 'EUR' } }, partly)).toBe(true);
    expect(judge({ purchased: { productId: 'VAN', minAmount: 6001, currency: 'EUR' } }, partly)).toBe(false);
    const lineBack = customerFacts('c2', {
      orders: [
        {
          ...order,
          total: 20000,
          lines: [
            { lineId: '1', productId: 'VAN', total: 10000, returned: 10000 },
            { lineId: '2', productId: 'TYRE', total: 10000, returned: 0 },
          ],
        },
      ],
    });
    expect(judge({ purchased: { productId: 'VAN' } }, lineBack)).toBe(false);
    expect(judge({ purchased: { productId: 'TYRE' } }, lineBack)).toBe(true);
  });

  it('interactions by channel, direction, episode type, window and count', () => {
    const i = (id: string, channel: string, direction: string, episodeType: string | null, days: number) => ({
      interactionId: id,
      channel,
      direction,
      episodeType,
      campaignId: null,
      occurredAt: daysAgo(days),
    });
    const c = customerFacts('c1', {
      interactions: [i('1', 'email', 'inbound', 'case', 2), i('2', 'email', 'outbound', 'campaign', 20), i('3', 'phone', 'inbound', 'case', 1)],
    });
    expect(judge({ interactions: { channel: 'email' } }, c)).toBe(true);
    expect(judge({ interactions: { channel: 'email', minCount: 2 } }, c)).toBe(true);
    expect(judge({ interactions: { channel: 'email', minCount: 2, window: { lastDays: 7 } } }, c)).toBe(false);
    expect(judge({ interactions: { direction: 'inbound', episodeType: 'case', minCount: 2 } }, c)).toBe(true);
    expect(judge({ interactions: { channel: 'sms' } }, c)).toBe(false);
    expect(judge({ not: { interactions: { window: { lastDays: 1 } } } }, c)).toBe(true);
  });

  it('campaign responses: inbound interactions on campaign episodes, of one campaign when named', () => {
    const i = (id: string, direction: string, campaignId: string | null, days: number) => ({
      interactionId: id,
      channel: 'email',
      direction,
      episodeType: 'campaign',
      campaignId,
      occurredAt: daysAgo(days),
    });
    const c = customerFacts('c1', { interactions: [i('1', 'outbound', 'spring', 10), i('2', 'inbound', 'spring', 9)] });
    expect(judge({ campaignResponse: {} }, c)).toBe(true);
    expect(judge({ campaignResponse: { campaignId: 'spring' } }, c)).toBe(true);
    expect(judge({ campaignResponse: { campaignId: 'autumn' } }, c)).toBe(false);
    expect(judge({ campaignResponse: { window: { lastDays: 5 } } }, c)).toBe(false);
    const onlySent = customerFacts('c2', { interactions: [i('1', 'outbound', 'spring', 1)] });
    expect(judge({ campaignResponse: {} }, onlySent)).toBe(false);
  });

  it('consent for channel × purpose: granted only', () => {
    const c = customerFacts('c1', {
      consents: [
        { channel: 'email', purpose: 'offers', status: 'granted' },
        { channel: 'sms', purpose: 'offers', status: 'withdrawn' },
      ],
    });
    expect(judge({ consent: { channel: 'email', purpose: 'offers' } }, c)).toBe(true);
    expect(judge({ consent: { channel: 'email', purpose: 'newsletter' } }, c)).toBe(false);
    expect(judge({ consent: { channel: 'sms', purpose: 'offers' } }, c)).toBe(false);
  });

  it('all / any / not combine; a merged customer matches nothing', () => {
    const c = customerFacts('c1', { kind: 'organisation', tags: ['vip'] });
    expect(judge({ all: [{ kind: 'organisation' }, { tags: { contains: 'vip' } }] }, c)).toBe(true);
    expect(judge({ all: [{ kind: 'organisation' }, { tags: { contains: 'x' } }] }, c)).toBe(false);
    expect(judge({ any: [{ kind: 'person' }, { tags: { contains: 'vip' } }] }, c)).toBe(true);
    expect(judge({ not: { any: [{ kind: 'person' }, { tags: { contains: 'vip' } }] } }, c)).toBe(false);
    expect(judge({ not: { kind: 'person' } }, { ...c, mergedInto: 'c9' })).toBe(false);
  });
});

describe('RFM for segments', () => {
  it('mid-rank quintiles: distinct values two per score out of ten; ties share; one alone scores 3', () => {
    expect(midRankScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(midRankScores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 5, 5]);
    expect(midRankScores([7])).toEqual([3]);
  });

  it('recency from the last occasion, frequency and money over the period, one occasion per day, other currencies left out', () => {
    const a = customerFacts('a', { orders: [orderFacts('a1', daysAgo(1), 100), orderFacts('a2', daysAgo(1), 50), orderFacts('a3', daysAgo(400), 999)] });
    const b = customerFacts('b', {
      orders: [orderFacts('b1', daysAgo(100), 1000), orderFacts('b2', daysAgo(50), 1000), orderFacts('b3', daysAgo(2), 10, { currency: 'USD' })],
    });
    const never = customerFacts('n');
    const scores = rfmScores([a, b, never], NOW, 365, 'EUR');
    expect(scores.get('a')).toMatchObject({ recencyDays: 1, frequency: 1, monetary: 150 });
    expect(scores.get('b')).toMatchObject({ recencyDays: 50, frequency: 2, monetary: 2000 });
    expect(scores.has('n')).toBe(false);
    expect(scores.get('a')).toMatchObject({ r: 4, f: 2, m: 2 });
    expect(scores.get('b')).toMatchObject({ r: 2, f: 4, m: 4 });
    expect(judge({ rfm: { r: { min: 4 } } }, a, NOW, [a, b, never])).toBe(true);
    expect(judge({ rfm: { f: { min: 4 }, m: { min: 4 } } }, b, NOW, [a, b, never])).toBe(true);
    // who never bought has no RFM: not in any range, and under not it is in
    expect(judge({ rfm: { r: { min: 1 } } }, never, NOW, [a, b, never])).toBe(false);
    expect(judge({ not: { rfm: { r: { min: 1 } } } }, never, NOW, [a, b, never])).toBe(true);
  });

  it('as time passes the same facts score differently (the clock decides)', () => {
    const a = customerFacts('a', { orders: [orderFacts('a1', '2026-06-01T10:00:00Z', 100)] });
    const b = customerFacts('b', { orders: [orderFacts('b1', '2026-06-20T10:00:00Z', 100)] });
    const c = customerFacts('c', { orders: [orderFacts('c1', '2026-01-01T10:00:00Z', 100)] });
    // 10 June: b has not bought yet; a (9 days) scores R 4 against c (160 days)
    expect(evaluate({ rfm: { r: { min: 4 } } }, [a, b, c], new Date('2026-06-10T00:00:00Z'), 'EUR')).toEqual(['a']);
    // 30 June: b (10 days) is the most recent, a (29 days) drops to R 3
    expect(evaluate({ rfm: { r: { min: 4 } } }, [a, b, c], new Date('2026-06-30T00:00:00Z'), 'EUR')).toEqual(['b']);
  });
});

describe('the SQL compiler', () => {
  it('puts every value in a parameter, never in the text', () => {
    const hostile = "x'); DROP TABLE customers; --";
    const rule: SegmentRule = { all: [{ tags: { contains: hostile } }, { purchased: { productId: hostile, window: { lastDays: 30 } } }, { owner: hostile }] };
    const q = compileRule(rule, { tables: factsTables('marketing'), now: NOW, currency: 'EUR' });
    expect(q.sql).not.toContain('DROP');
    expect(q.params).toContain(hostile);
    expect(q.params).toContain(JSON.stringify([hostile]));
  });

  it('refuses a table name that is not an identifier', () => {
    expect(() => compileRule({ kind: 'person' }, { tables: factsTables('x; drop'), now: NOW, currency: 'EUR' })).toThrow(/not a table name/);
  });
});
