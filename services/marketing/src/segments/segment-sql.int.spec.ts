import { PgliteSession } from '@crm/sql-clients';
import {
  compileRule,
  customerFacts,
  evaluate,
  factsInserts,
  factsTables,
  ruleErrors,
  type CustomerFacts,
  type InteractionFacts,
  type OrderFacts,
  type SegmentRule,
} from '@crm/segments';
import { DataSource } from 'typeorm';
import {
  SegmentConsentRow,
  SegmentCustomerRow,
  SegmentEpisodeRow,
  SegmentFactChangeRow,
  SegmentInteractionRow,
  SegmentOrderLineRow,
  SegmentOrderRow,
} from './segment-facts.entities';

// The SQL compiler and the in-memory evaluator give every rule the same meaning: on a generated
// population (fixed seed) in the facts tables of the service's own entities on PGlite, each
// condition, hand-picked combinations and 150 random rules select exactly the same customers, at
// three instants.

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOWS = [new Date('2026-06-30T12:00:00.000Z'), new Date('2026-03-15T00:00:00.000Z'), new Date('2025-12-31T23:59:59.999Z')];
const BASE = Date.parse('2025-06-01T00:00:00.000Z');
const SPAN = Date.parse('2026-07-15T00:00:00.000Z') - BASE;
const PRODUCTS = ['VAN', 'TYRE', 'OIL', 'SEAT'];
const TAGS = ['vip', 'fleet', 'newsletter', 'b2b'];
const OWNERS = ['sari', 'budi', null];
const STAGES = ['suspect', 'prospect', 'first-time-customer', 'repeat-customer', 'loyal-customer'];
const PHASES = ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution'];
const TIERS = ['platinum', 'gold', 'silver', 'bronze', null];
const CHURN_BANDS = ['low', 'medium', 'high', null];
const CHANNELS = ['email', 'phone', 'sms', 'web'];
const CAMPAIGNS = ['spring', 'autumn', null];

function population(size: number, seed: number): CustomerFacts[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  // Times on whole minutes, some exactly on the instants and window edges the rules use.
  const instant = () => new Date(BASE + Math.floor((random() * SPAN) / 60_000) * 60_000).toISOString();
  const people: CustomerFacts[] = [];
  for (let n = 0; n < size; n++) {
    const id = `c${String(n).padStart(4, '0')}`;
    const orders: OrderFacts[] = Array.from({ length: Math.floor(random() * 5) }, (_, k) => {
      const lines = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, l) => {
        const total = Math.floor(random() * 20_000);
        return {
          lineId: String(l + 1),
          productId: random() < 0.1 ? null : pick(PRODUCTS),
          total,
          returned: random() < 0.15 ? Math.floor(total / 2) : random() < 0.05 ? total : 0,
        };
      });
      const total = lines.reduce((s, l) => s + l.total, 0);
      const returned = lines.reduce((s, l) => s + l.returned, 0);
      return {
        orderId: `${id}-o${k}`,
        orderDate: random() < 0.05 ? NOWS[0].toISOString() : instant(),
        currency: random() < 0.85 ? 'EUR' : 'USD',
        total,
        returned,
        cancelled: random() < 0.1,
        fullyReturned: returned === total && total > 0 && random() < 0.5,
        lines,
      };
    });
    const interactions: InteractionFacts[] = Array.from({ length: Math.floor(random() * 6) }, (_, k) => {
      const episodeType = pick(['campaign', 'case', 'opportunity', null] as const);
      return {
        interactionId: `${id}-i${k}`,
        channel: pick(CHANNELS),
        direction: pick(['inbound', 'outbound']),
        episodeType,
        campaignId: episodeType === 'campaign' ? pick(CAMPAIGNS) : null,
        occurredAt: instant(),
      };
    });
    people.push(
      customerFacts(id, {
        kind: random() < 0.6 ? 'person' : 'organisation',
        owner: pick(OWNERS),
        tags: TAGS.filter(() => random() < 0.3),
        registeredAt: instant(),
        journeyStage: pick(STAGES),
        relationshipPhase: pick(PHASES),
        valueTier: pick(TIERS),
        churnRisk: pick(CHURN_BANDS),
        mergedInto: random() < 0.03 ? 'c0000' : null,
        orders,
        interactions,
        consents: (['email', 'sms'] as const).flatMap((channel) =>
          random() < 0.5 ? [{ channel, purpose: pick(['offers', 'newsletter']), status: random() < 0.7 ? ('granted' as const) : ('withdrawn' as const) }] : [],
        ),
      }),
    );
  }
  return people;
}

const CONDITIONS: SegmentRule[] = [
  { kind: 'person' },
  { tags: { contains: 'vip' } },
  { tags: { anyOf: ['fleet', 'b2b'] } },
  { owner: 'sari' },
  { owner: null },
  { registered: { before: '2026-01-01T00:00:00Z' } },
  { registered: { after: '2026-02-01T00:00:00Z' } },
  { journeyStage: { in: ['repeat-customer', 'loyal-customer'] } },
  { relationshipPhase: { in: ['commitment'] } },
  { valueTier: { in: ['platinum', 'gold'] } },
  { churnRisk: { in: ['high'] } },
  { churnRisk: { in: ['low', 'medium'] } },
  { rfm: { r: { min: 4 } } },
  { rfm: { f: { min: 3, max: 4 }, m: { min: 4 }, periodDays: 90 } },
  { rfm: { r: { max: 2 }, periodDays: 30 } },
  { purchased: {} },
  { purchased: { productId: 'VAN', window: { lastDays: 90 } } },
  { purchased: { productId: 'TYRE', minCount: 2 } },
  { purchased: { minAmount: 15_000, currency: 'EUR', window: { lastDays: 180 } } },
  { purchased: { productId: 'OIL', window: { from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' } } },
  { purchased: { currency: 'USD', window: { from: '2026-03-01T00:00:00Z' } } },
  { interactions: { channel: 'email' } },
  { interactions: { channel: 'phone', direction: 'inbound', window: { lastDays: 60 } } },
  { interactions: { episodeType: 'case', minCount: 2 } },
  { interactions: { window: { to: '2026-01-01T00:00:00Z' }, minCount: 3 } },
  { campaignResponse: {} },
  { campaignResponse: { campaignId: 'spring', window: { lastDays: 120 } } },
  { consent: { channel: 'email', purpose: 'offers' } },
  { consent: { channel: 'sms', purpose: 'newsletter' } },
];

function randomRule(random: () => number, depth = 0): SegmentRule {
  const r = random();
  if (depth < 3 && r < 0.2) return { all: Array.from({ length: 2 + Math.floor(random() * 2) }, () => randomRule(random, depth + 1)) };
  if (depth < 3 && r < 0.4) return { any: Array.from({ length: 2 + Math.floor(random() * 2) }, () => randomRule(random, depth + 1)) };
  if (depth < 3 && r < 0.5) return { not: randomRule(random, depth + 1) };
  return CONDITIONS[Math.floor(random() * CONDITIONS.length)];
}

describe('segment rules: the SQL compiler agrees with the in-memory evaluator (PGlite)', () => {
  let session: PgliteSession;
  let ds: DataSource;
  const people = population(600, 20260630);
  const tables = factsTables('segment_sql_spec');

  beforeAll(async () => {
    session = await PgliteSession.open();
    await session.sqlClient().exec('CREATE SCHEMA IF NOT EXISTS segment_sql_spec');
    ds = new DataSource({
      type: 'postgres',
      driver: session.pgDriver(),
      schema: 'segment_sql_spec',
      entities: [SegmentCustomerRow, SegmentOrderRow, SegmentOrderLineRow, SegmentEpisodeRow, SegmentInteractionRow, SegmentConsentRow, SegmentFactChangeRow],
      synchronize: true,
    });
    await ds.initialize();
    for (const insert of factsInserts(tables, people)) await ds.query(insert.sql, insert.params);
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await session?.close();
  });

  const viaSql = async (rule: SegmentRule, now: Date, customerIds?: string[]) => {
    const q = compileRule(rule, { tables, now, currency: 'EUR', customerIds });
    return ((await ds.query(q.sql, q.params)) as { customer_id: string }[]).map((r) => r.customer_id).sort();
  };

  it('the population holds every kind of fact (so agreement is not agreement on nothing)', async () => {
    expect(people.filter((c) => c.orders.length).length).toBeGreaterThan(300);
    expect(((await ds.query(`SELECT count(*)::int AS n FROM ${tables.orderLines}`)) as { n: number }[])[0].n).toBeGreaterThan(1000);
  });

  it.each(CONDITIONS.map((c) => [JSON.stringify(c), c] as const))('%s, and its not, at three instants', async (_label, rule) => {
    expect(ruleErrors(rule)).toEqual([]);
    for (const now of NOWS) {
      const expected = evaluate(rule, people, now, 'EUR');
      expect(await viaSql(rule, now)).toEqual(expected);
      expect(await viaSql({ not: rule }, now)).toEqual(evaluate({ not: rule }, people, now, 'EUR'));
    }
    // every condition selects someone and leaves someone out at the latest instant, or the comparison proves little
    const latest = evaluate(rule, people, NOWS[0], 'EUR').length;
    expect(latest).toBeGreaterThan(0);
    expect(latest).toBeLessThan(people.length);
  });

  it('150 random rules of all / any / not, at three instants', async () => {
    const random = prng(7);
    let nonTrivial = 0;
    for (let n = 0; n < 150; n++) {
      const rule = randomRule(random);
      expect(ruleErrors(rule)).toEqual([]);
      const now = NOWS[n % NOWS.length];
      const expected = evaluate(rule, people, now, 'EUR');
      if (expected.length > 0 && expected.length < people.length - 20) nonTrivial++;
      expect({ rule, members: await viaSql(rule, now) }).toEqual({ rule, members: expected });
    }
    expect(nonTrivial).toBeGreaterThan(50);
  }, 120_000);

  it('restricted to some customers, the same answer for them (RFM still scored against everyone)', async () => {
    const rule: SegmentRule = { all: [{ rfm: { r: { min: 4 } } }, { consent: { channel: 'email', purpose: 'offers' } }] };
    const some = people.filter((_, i) => i % 7 === 0).map((c) => c.customerId);
    const all = evaluate(rule, people, NOWS[0], 'EUR');
    expect(await viaSql(rule, NOWS[0], some)).toEqual(all.filter((id) => some.includes(id)));
  });
});
