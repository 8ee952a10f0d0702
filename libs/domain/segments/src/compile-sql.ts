import type { CustomerFacts } from './facts';
import { DEFAULT_RFM_PERIOD_DAYS, DAY_MS, type ScoreRange, type SegmentRule, type TimeWindow } from './rule';

/**
 * The facts tables a compiled rule reads (marketing's read model; the bench's copy). Names are
 * identifiers, never values: each must be `schema.table` or `table` of [a-z0-9_].
 */
export interface FactsTables {
  customers: string;
  orders: string;
  orderLines: string;
  interactions: string;
  consents: string;
}

/** The tables of `segment-facts.projection.ts` in a schema. */
export function factsTables(schema: string): FactsTables {
  return {
    customers: `${schema}.segment_customers`,
    orders: `${schema}.segment_orders`,
    orderLines: `${schema}.segment_order_lines`,
    interactions: `${schema}.segment_interactions`,
    consents: `${schema}.segment_consents`,
  };
}

export interface CompileOptions {
  tables: FactsTables;
  now: Date;
  /** The currency RFM counts (the reporting currency). */
  currency: string;
  /** Only these customers (the membership processor's changed customers); RFM still scores against everyone. */
  customerIds?: readonly string[];
}

/** A parameterised query: `$1…$n` placeholders, values in `params` (never in the text). */
export interface CompiledQuery {
  /** `SELECT c.customer_id, c.name FROM … WHERE …` — the matching customers. */
  sql: string;
  params: unknown[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/**
 * Compiles a (valid) rule to one PostgreSQL / PGlite query over the facts tables with the meaning
 * `matches` gives it: every value a parameter, every condition a boolean that is never NULL (so
 * `not` is exact), facts after `now` never counted, merged customers never selected. "At least
 * one" conditions are `EXISTS` (the planner stops at the first fact); counting ones are set-based
 * (`customer_id IN (… GROUP BY customer_id HAVING …)`), a few scans for a whole population.
 */
export function compileRule(rule: SegmentRule, options: CompileOptions): CompiledQuery {
  const t = options.tables;
  for (const table of Object.values(t)) if (!IDENTIFIER.test(table)) throw new Error(`not a table name: ${table}`);
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // Placed at its first use: a rule without a window or RFM has no `now` parameter (an unused one has no type).
  let nowPlaceholder: string | undefined;
  const nowParam = () => (nowPlaceholder ??= p(options.now.toISOString()));
  const rfmPeriods = new Map<number, string>();

  const windowSql = (column: string, window: TimeWindow | undefined): string => {
    const parts = [`${column} <= ${nowParam()}::timestamptz`];
    if (window && 'lastDays' in window) parts.push(`${column} > ${p(new Date(options.now.getTime() - window.lastDays * DAY_MS).toISOString())}::timestamptz`);
    else if (window) {
      if (window.from !== undefined) parts.push(`${column} >= ${p(window.from)}::timestamptz`);
      if (window.to !== undefined) parts.push(`${column} < ${p(window.to)}::timestamptz`);
    }
    return parts.join(' AND ');
  };
  const textList = (values: readonly string[]) => `(SELECT jsonb_array_elements_text(${p(JSON.stringify(values))}::jsonb))`;
  const rangeSql = (column: string, range: ScoreRange | undefined) =>
    range === undefined ? 'TRUE' : `${column} BETWEEN ${p(range.min ?? 1)}::int AND ${p(range.max ?? 5)}::int`;

  const sqlOf = (r: SegmentRule): string => {
    if ('all' in r) return `(${r.all.map(sqlOf).join(' AND ')})`;
    if ('any' in r) return `(${r.any.map(sqlOf).join(' OR ')})`;
    if ('not' in r) return `(NOT ${sqlOf(r.not)})`;
    if ('kind' in r) return `(c.kind = ${p(r.kind)})`;
    if ('tags' in r)
      return 'contains' in r.tags
        ? `(c.tags @> ${p(JSON.stringify([r.tags.contains]))}::jsonb)`
        : `EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.tags) tag WHERE tag IN ${textList(r.tags.anyOf)})`;
    if ('owner' in r) return r.owner === null ? '(c.owner IS NULL)' : `(c.owner IS NOT NULL AND c.owner = ${p(r.owner)})`;
    if ('registered' in r) {
      const parts: string[] = [];
      if (r.registered.before !== undefined) parts.push(`c.registered_at < ${p(r.registered.before)}::timestamptz`);
      if (r.registered.after !== undefined) parts.push(`c.registered_at >= ${p(r.registered.after)}::timestamptz`);
      return `(${parts.join(' AND ')})`;
    }
    if ('journeyStage' in r) return `(c.journey_stage IN ${textList(r.journeyStage.in)})`;
    if ('relationshipPhase' in r) return `(c.relationship_phase IN ${textList(r.relationshipPhase.in)})`;
    if ('valueTier' in r) return `(c.value_tier IS NOT NULL AND c.value_tier IN ${textList(r.valueTier.in)})`;
    if ('churnRisk' in r) return `(c.churn_risk IS NOT NULL AND c.churn_risk IN ${textList(r.churnRisk.in)})`;
    if ('rfm' in r) {
      const period = r.rfm.periodDays ?? DEFAULT_RFM_PERIOD_DAYS;
      let cte = rfmPeriods.get(period);
      if (!cte) rfmPeriods.set(period, (cte = `rfm_${period}`));
      return `c.customer_id IN (SELECT s.customer_id FROM ${cte} s WHERE ${rangeSql('s.r', r.rfm.r)} AND ${rangeSql('s.f', r.rfm.f)} AND ${rangeSql('s.m', r.rfm.m)})`;
    }
    if ('purchased' in r) {
      const q = r.purchased;
      const where = [
        'NOT o.cancelled',
        'NOT o.fully_returned',
        'l.total - l.returned > 0',
        windowSql('o.order_date', q.window),
        ...(q.productId !== undefined ? [`l.product_id = ${p(q.productId)}`] : []),
        ...(q.currency !== undefined ? [`o.currency = ${p(q.currency)}`] : []),
      ];
      // "At least one" is an EXISTS the planner can stop early on (and probe per customer after cheaper conditions).
      if ((q.minCount ?? 1) === 1 && q.minAmount === undefined)
        return `EXISTS (SELECT 1 FROM ${t.orders} o JOIN ${t.orderLines} l ON l.order_id = o.order_id WHERE o.customer_id = c.customer_id AND ${where.join(' AND ')})`;
      const having = [
        `count(DISTINCT l.order_id) >= ${p(q.minCount ?? 1)}::int`,
        ...(q.minAmount !== undefined ? [`sum(l.total - l.returned) >= ${p(q.minAmount)}::bigint`] : []),
      ];
      return `c.customer_id IN (SELECT o.customer_id FROM ${t.orders} o JOIN ${t.orderLines} l ON l.order_id = o.order_id WHERE ${where.join(' AND ')} GROUP BY o.customer_id HAVING ${having.join(' AND ')})`;
    }
    if ('interactions' in r || 'campaignResponse' in r) {
      const where: string[] = [];
      let minCount: number;
      if ('interactions' in r) {
        const q = r.interactions;
        if (q.channel !== undefined) where.push(`i.channel = ${p(q.channel)}`);
        if (q.direction !== undefined) where.push(`i.direction = ${p(q.direction)}`);
        if (q.episodeType !== undefined) where.push(`i.episode_type = ${p(q.episodeType)}`);
        where.push(windowSql('i.occurred_at', q.window));
        minCount = q.minCount ?? 1;
      } else {
        const q = r.campaignResponse;
        where.push(`i.direction = 'inbound'`, `i.episode_type = 'campaign'`);
        if (q.campaignId !== undefined) where.push(`i.campaign_id = ${p(q.campaignId)}`);
        where.push(windowSql('i.occurred_at', q.window));
        minCount = q.minCount ?? 1;
      }
      if (minCount === 1) return `EXISTS (SELECT 1 FROM ${t.interactions} i WHERE i.customer_id = c.customer_id AND ${where.join(' AND ')})`;
      return `c.customer_id IN (SELECT i.customer_id FROM ${t.interactions} i WHERE ${where.join(' AND ')} GROUP BY i.customer_id HAVING count(*) >= ${p(minCount)}::int)`;
    }
    if ('consent' in r)
      return `EXISTS (SELECT 1 FROM ${t.consents} k WHERE k.customer_id = c.customer_id AND k.channel = ${p(r.consent.channel)} AND k.purpose = ${p(r.consent.purpose)} AND k.status = 'granted')`;
    const never: never = r;
    throw new Error(`unknown condition ${JSON.stringify(never)}`);
  };

  const predicate = sqlOf(rule);
  const ctes = [...rfmPeriods].map(([period, name]) => `${name} AS (${rfmCte(t, p, nowParam(), options.now, options.currency, period)})`);
  const only = options.customerIds ? ` AND c.customer_id IN (SELECT jsonb_array_elements_text(${p(JSON.stringify(options.customerIds))}::jsonb))` : '';
  const sql =
    `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}` +
    `SELECT c.customer_id, c.name FROM ${t.customers} c WHERE c.merged_into IS NULL${only} AND ${predicate}`;
  return { sql, params };
}

/**
 * RFM scores of every buying customer: occasions (orders of one UTC day, net of returns, in the
 * currency), recency / frequency / monetary, then the mid-rank quintile in integers — exactly
 * `midRankScores`: 1 + ⌊5 × (2·below + equal) ÷ (2·n)⌋, capped at 5 (`rank() − 1` are below).
 */
function rfmCte(t: FactsTables, p: (v: unknown) => string, nowParam: string, now: Date, currency: string, periodDays: number): string {
  const day = p(now.toISOString().slice(0, 10));
  const cur = p(currency);
  const period = p(periodDays);
  const score = (value: string) =>
    `least(5, 1 + (5 * (2 * (rank() OVER (ORDER BY ${value}) - 1) + count(*) OVER (PARTITION BY ${value}))) / (2 * count(*) OVER ()))`;
  return (
    `SELECT customer_id, ${score('-recency')} AS r, ${score('frequency')} AS f, ${score('monetary')} AS m FROM (` +
    `SELECT customer_id, ${day}::date - max(day) AS recency, count(*) FILTER (WHERE day > ${day}::date - ${period}::int) AS frequency, ` +
    `coalesce(sum(amount) FILTER (WHERE day > ${day}::date - ${period}::int), 0) AS monetary FROM (` +
    `SELECT o.customer_id, (o.order_date AT TIME ZONE 'UTC')::date AS day, sum(o.total - o.returned) AS amount FROM ${t.orders} o ` +
    `JOIN ${t.customers} oc ON oc.customer_id = o.customer_id AND oc.merged_into IS NULL ` +
    `WHERE NOT o.cancelled AND NOT o.fully_returned AND o.currency = ${cur} AND o.order_date <= ${nowParam}::timestamptz AND o.total - o.returned > 0 ` +
    `GROUP BY o.customer_id, day) occasions GROUP BY customer_id) inputs`
  );
}

/**
 * Statements that write a population's facts into the facts tables (specs and the bench fill them
 * this way; the service's projection writes the same columns from the events). One statement per
 * table, the rows as one JSON parameter.
 */
export function factsInserts(tables: FactsTables, population: readonly CustomerFacts[]): CompiledQuery[] {
  for (const table of Object.values(tables)) if (!IDENTIFIER.test(table)) throw new Error(`not a table name: ${table}`);
  const insert = (table: string, columns: string, rows: unknown[]): CompiledQuery => ({
    sql: `INSERT INTO ${table} (${columns.replace(/ [a-z]+(,|$)/g, '$1')}) SELECT ${columns.replace(/ [a-z]+(,|$)/g, '$1')} FROM jsonb_to_recordset($1::jsonb) AS x(${columns})`,
    params: [JSON.stringify(rows)],
  });
  const customers = population.map((c) => ({
    customer_id: c.customerId,
    kind: c.kind,
    name: c.name,
    owner: c.owner,
    tags: c.tags,
    registered_at: c.registeredAt,
    journey_stage: c.journeyStage,
    relationship_phase: c.relationshipPhase,
    value_tier: c.valueTier,
    churn_risk: c.churnRisk ?? null,
    merged_into: c.mergedInto ?? null,
  }));
  const orders = population.flatMap((c) =>
    c.orders.map((o) => ({
      order_id: o.orderId,
      customer_id: c.customerId,
      order_date: o.orderDate,
      currency: o.currency,
      total: o.total,
      returned: o.returned,
      cancelled: o.cancelled,
      fully_returned: o.fullyReturned,
    })),
  );
  const lines = population.flatMap((c) =>
    c.orders.flatMap((o) => o.lines.map((l) => ({ order_id: o.orderId, line_id: l.lineId, product_id: l.productId, total: l.total, returned: l.returned }))),
  );
  const interactions = population.flatMap((c) =>
    c.interactions.map((i) => ({
      interaction_id: i.interactionId,
      customer_id: c.customerId,
      episode_id: `episode-${i.interactionId}`,
      channel: i.channel,
      direction: i.direction,
      episode_type: i.episodeType,
      campaign_id: i.campaignId,
      occurred_at: i.occurredAt,
    })),
  );
  const consents = population.flatMap((c) => c.consents.map((k) => ({ customer_id: c.customerId, channel: k.channel, purpose: k.purpose, status: k.status })));
  return [
    insert(
      tables.customers,
      'customer_id text, kind text, name text, owner text, tags jsonb, registered_at timestamptz, journey_stage text, relationship_phase text, value_tier text, churn_risk text, merged_into text',
      customers,
    ),
    insert(
      tables.orders,
      'order_id text, customer_id text, order_date timestamptz, currency text, total bigint, returned bigint, cancelled boolean, fully_returned boolean',
      orders,
    ),
    insert(tables.orderLines, 'order_id text, line_id text, product_id text, total bigint, returned bigint', lines),
    insert(
      tables.interactions,
      'interaction_id text, customer_id text, episode_id text, channel text, direction text, episode_type text, campaign_id text, occurred_at timestamptz',
      interactions,
    ),
    insert(tables.consents, 'customer_id text, channel text, purpose text, status text', consents),
  ];
}
