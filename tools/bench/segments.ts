/**
 * segments: evaluating a realistic segment (issue 13 §2) over 100,000 customers' facts (10,000 with
 * --quick) through the rule compiler of `@crm/segments` (`compileRule`, what `POST /segments/preview`
 * and the membership processor run) against the equivalent SQL written by hand, in the same
 * database, in the same run, interleaved round by round.
 *
 * The segment: value tier platinum or gold, RFM R ≥ 3 and F ≥ 3 (365 days, EUR), bought product
 * VAN in the last 90 days, and e-mail consent for offers. The facts are generated from a fixed seed
 * (1–8 orders of 1–3 lines over two years, interactions, consents, tiers) and written with
 * `factsInserts` into tables shaped as marketing's read model (services/marketing/src/segments/
 * segment-facts.entities.ts — a tool cannot import a service, so the DDL is repeated below; keep
 * them alike). The hand-written query joins the RFM scores where the compiler writes
 * `customer_id IN (…)`, and puts the tier first; both must select the same customers (checked).
 * Figure: median ms per evaluation, baseline the hand-written SQL's, ratio compiled ÷ hand-written.
 */
import { performance } from 'node:perf_hooks';
import { compileRule, customerFacts, factsInserts, type CustomerFacts, type FactsTables, type SegmentRule } from '@crm/segments';
import { round, targets, uniqueSchema, type BenchContext, type BenchModule, type Figure } from './kit';

export const segmentsBench: BenchModule = {
  name: 'segments',
  description: 'a segment (tier + RFM + product in a window + e-mail consent) over 100,000 customers: compiled rule vs hand-written SQL',
  run,
};

const NOW = new Date('2026-06-30T12:00:00.000Z');
const DAY = 86_400_000;
const PRODUCTS = ['VAN', 'TYRE', 'OIL', 'SEAT', 'MIRROR', 'LAMP'];
const TIERS = ['platinum', 'gold', 'silver', 'bronze', null];

export const BENCH_RULE: SegmentRule = {
  all: [
    { valueTier: { in: ['platinum', 'gold'] } },
    { rfm: { r: { min: 3 }, f: { min: 3 } } },
    { purchased: { productId: 'VAN', window: { lastDays: 90 } } },
    { consent: { channel: 'email', purpose: 'offers' } },
  ],
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatePopulation(count: number, seed: number): CustomerFacts[] {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const daysAgo = (max: number) => new Date(NOW.getTime() - Math.floor(random() * max * 24 * 60) * 60_000).toISOString();
  return Array.from({ length: count }, (_, n) => {
    const id = `c${String(n).padStart(7, '0')}`;
    const orders = Array.from({ length: random() < 0.2 ? 0 : 1 + Math.floor(random() * 8) }, (_, k) => {
      const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, l) => ({
        lineId: String(l + 1),
        productId: pick(PRODUCTS),
        total: 1000 + Math.floor(random() * 50_000),
        returned: 0,
      }));
      const total = lines.reduce((s, l) => s + l.total, 0);
      return { orderId: `${id}-${k}`, orderDate: daysAgo(730), currency: 'EUR', total, returned: 0, cancelled: random() < 0.05, fullyReturned: false, lines };
    });
    return customerFacts(id, {
      kind: random() < 0.7 ? 'person' : 'organisation',
      registeredAt: daysAgo(1500),
      valueTier: pick(TIERS),
      orders,
      interactions: Array.from({ length: Math.floor(random() * 4) }, (_, k) => ({
        interactionId: `${id}-i${k}`,
        channel: pick(['email', 'phone', 'web']),
        direction: pick(['inbound', 'outbound']),
        episodeType: pick(['campaign', 'case', 'opportunity']),
        campaignId: null,
        occurredAt: daysAgo(365),
      })),
      consents: random() < 0.6 ? [{ channel: 'email', purpose: 'offers', status: random() < 0.85 ? 'granted' : 'withdrawn' }] : [],
    });
  });
}

/** The facts tables, as marketing's entities create them (with their indexes). */
function ddl(schema: string): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${schema};
    CREATE TABLE ${schema}.segment_customers (customer_id text PRIMARY KEY, kind text NOT NULL, name text NOT NULL, owner text, tags jsonb NOT NULL,
      registered_at timestamptz NOT NULL, journey_stage text NOT NULL, relationship_phase text NOT NULL, value_tier text, churn_risk text, merged_into text);
    CREATE TABLE ${schema}.segment_orders (order_id text PRIMARY KEY, customer_id text NOT NULL, recorded_for text, order_date timestamptz NOT NULL, currency text NOT NULL,
      total bigint NOT NULL, returned bigint NOT NULL, cancelled boolean NOT NULL, fully_returned boolean NOT NULL);
    CREATE INDEX ON ${schema}.segment_orders (customer_id);
    CREATE TABLE ${schema}.segment_order_lines (order_id text NOT NULL, line_id text NOT NULL, product_id text, total bigint NOT NULL, returned bigint NOT NULL,
      PRIMARY KEY (order_id, line_id));
    CREATE INDEX ON ${schema}.segment_order_lines (product_id);
    CREATE TABLE ${schema}.segment_interactions (interaction_id text PRIMARY KEY, customer_id text NOT NULL, recorded_for text, episode_id text NOT NULL, channel text NOT NULL,
      direction text NOT NULL, episode_type text, campaign_id text, occurred_at timestamptz NOT NULL);
    CREATE INDEX ON ${schema}.segment_interactions (customer_id, occurred_at);
    CREATE TABLE ${schema}.segment_consents (customer_id text NOT NULL, channel text NOT NULL, purpose text NOT NULL, status text NOT NULL,
      PRIMARY KEY (customer_id, channel, purpose));`;
}

/** What an engineer would write for BENCH_RULE by hand: the same RFM rule, EXISTS for the rest. */
function handWritten(t: FactsTables): { sql: string; params: unknown[] } {
  const day = NOW.toISOString().slice(0, 10);
  const score = (v: string) => `least(5, 1 + (5 * (2 * (rank() OVER (ORDER BY ${v}) - 1) + count(*) OVER (PARTITION BY ${v}))) / (2 * count(*) OVER ()))`;
  return {
    sql: `
      WITH occasions AS (
        SELECT o.customer_id, (o.order_date AT TIME ZONE 'UTC')::date AS day, sum(o.total - o.returned) AS amount
        FROM ${t.orders} o JOIN ${t.customers} oc ON oc.customer_id = o.customer_id AND oc.merged_into IS NULL
        WHERE NOT o.cancelled AND NOT o.fully_returned AND o.currency = 'EUR' AND o.order_date <= $1 AND o.total - o.returned > 0
        GROUP BY 1, 2),
      inputs AS (
        SELECT customer_id, $2::date - max(day) AS recency, count(*) FILTER (WHERE day > $2::date - 365) AS frequency,
               coalesce(sum(amount) FILTER (WHERE day > $2::date - 365), 0) AS monetary
        FROM occasions GROUP BY customer_id),
      scored AS (SELECT customer_id, ${score('-recency')} AS r, ${score('frequency')} AS f FROM inputs)
      SELECT c.customer_id, c.name
      FROM ${t.customers} c JOIN scored s ON s.customer_id = c.customer_id AND s.r >= 3 AND s.f >= 3
      WHERE c.merged_into IS NULL AND c.value_tier IN ('platinum', 'gold')
        AND EXISTS (SELECT 1 FROM ${t.orders} o JOIN ${t.orderLines} l ON l.order_id = o.order_id
                    WHERE o.customer_id = c.customer_id AND l.product_id = 'VAN' AND NOT o.cancelled AND NOT o.fully_returned
                      AND l.total - l.returned > 0 AND o.order_date > $3 AND o.order_date <= $1)
        AND EXISTS (SELECT 1 FROM ${t.consents} k WHERE k.customer_id = c.customer_id AND k.channel = 'email' AND k.purpose = 'offers' AND k.status = 'granted')`,
    params: [NOW.toISOString(), day, new Date(NOW.getTime() - 90 * DAY).toISOString()],
  };
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const figures: Figure[] = [];
  const count = ctx.quick ? 10_000 : 100_000;
  const rounds = ctx.quick ? 3 : 7;
  const population = generatePopulation(count, 20260630);
  for (const target of targets(ctx)) {
    const schema = uniqueSchema('bench_seg');
    const db = await target.open(schema);
    try {
      await db.sql.exec(ddl(schema));
      const tables: FactsTables = {
        customers: `${schema}.segment_customers`,
        orders: `${schema}.segment_orders`,
        orderLines: `${schema}.segment_order_lines`,
        interactions: `${schema}.segment_interactions`,
        consents: `${schema}.segment_consents`,
      };
      let t = performance.now();
      for (let i = 0; i < population.length; i += 2000)
        for (const q of factsInserts(tables, population.slice(i, i + 2000))) await db.sql.query(q.sql, q.params);
      for (const table of Object.values(tables)) await db.sql.exec(`ANALYZE ${table}`);
      ctx.log(`${target.label}: ${count.toLocaleString('en-US')} customers' facts written and analysed in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const compiled = compileRule(BENCH_RULE, { tables, now: NOW, currency: 'EUR' });
      const manual = handWritten(tables);
      const ids = async (q: { sql: string; params: unknown[] }) =>
        (await db.sql.query<{ customer_id: string }>(q.sql, q.params)).rows.map((r) => r.customer_id).sort();
      const [a, b] = [await ids(compiled), await ids(manual)];
      if (a.length !== b.length || a.some((id, i) => id !== b[i]))
        throw new Error(`the compiled rule selected ${a.length} customers, the hand-written SQL ${b.length}`);
      ctx.log(`both select the same ${a.length.toLocaleString('en-US')} customers`);

      const times = { compiled: [] as number[], manual: [] as number[] };
      for (let r = 0; r < rounds; r++) {
        for (const which of r % 2 === 0 ? (['compiled', 'manual'] as const) : (['manual', 'compiled'] as const)) {
          t = performance.now();
          await db.sql.query(which === 'compiled' ? compiled.sql : manual.sql, which === 'compiled' ? compiled.params : manual.params);
          times[which].push(performance.now() - t);
        }
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      figures.push(
        ctx.report({
          name: `segments.evaluate.${target.name}`,
          unit: 'ms',
          value: round(median(times.compiled)),
          baseline: { name: 'the same segment in hand-written SQL, median', value: round(median(times.manual)) },
          details: {
            customers: count,
            members: a.length,
            rounds,
            compiledMs: times.compiled.map((x) => round(x)),
            handWrittenMs: times.manual.map((x) => round(x)),
          },
        }),
      );
    } finally {
      await db.close();
    }
  }
  return figures;
}
