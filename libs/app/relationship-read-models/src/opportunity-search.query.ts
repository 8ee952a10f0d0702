import type { EntityManager } from 'typeorm';
import type { ForecastItem } from '@crm/relationship';
import { cursorParts, decodeCursor, encodeCursor, keysetAfter } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';
import { OpportunityListEntry, OpportunityVersion } from './opportunity-list.entities';

export const OPPORTUNITY_SORTS = ['closeDate', '-closeDate', 'amount', '-amount', 'updatedAt', '-updatedAt'] as const;
export type OpportunitySort = (typeof OPPORTUNITY_SORTS)[number];
export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
export type OpportunityStatus = (typeof OPPORTUNITY_STATUSES)[number];

export interface OpportunitySearch {
  owner?: string;
  team?: string;
  /** Any of these stages. */
  stages?: readonly string[];
  pipelineId?: string;
  /** The customer and those merged into it (`customerFilterIds`). */
  customerIds?: readonly string[];
  /** Expected to close on or after this day (`YYYY-MM-DD`). */
  closeFrom?: string;
  /** Expected to close on or before this day. */
  closeTo?: string;
  currency?: string;
  /** Minor units (of `currency`: a range compares amounts of one currency). */
  amountMin?: number;
  amountMax?: number;
  /** Any of these. */
  statuses?: readonly OpportunityStatus[];
  /** Default `-updatedAt` (most recently changed first); `-` is descending. */
  sort?: OpportunitySort;
  limit: number;
  cursor?: string;
}

export interface OpportunityListItem {
  opportunityId: string;
  customerId: string;
  name: string;
  pipelineId: string;
  stage: string;
  probability: number;
  /** Minor units of `currency`. */
  amount: number | null;
  currency: string | null;
  expectedCloseDate: string | null;
  owner: string;
  team: string | null;
  nextStep: string | null;
  competitors: string[];
  status: OpportunityStatus;
  closeReason: string | null;
  openedAt: string;
  stageEnteredAt: string;
  closedAt: string | null;
  updatedAt: string;
  interactions: number;
}

export interface OpportunityListPage {
  items: OpportunityListItem[];
  /** Pass as `cursor` for the next page (same filters and sort); absent on the last page. */
  nextCursor?: string;
}

/** `['opportunities', sort, key, id]`: the amount sorts key on an integer, the others on text. */
const cursorOf = (sort: OpportunitySort) =>
  [
    cursorParts.list('opportunities'),
    cursorParts.sort(sort),
    sort === 'amount' || sort === '-amount' ? cursorParts.integer() : cursorParts.text({ max: 100 }),
    cursorParts.text({ max: 200 }),
  ] as const;

/** Sort keys that are never null (keyset paging needs a total order): no close date sorts as the latest, no amount as the least. */
const KEYS: Record<'closeDate' | 'amount' | 'updatedAt', { expr: string; cast: string }> = {
  closeDate: { expr: `coalesce(o.expected_close_date, '9999-12-31')`, cast: '::text' },
  amount: { expr: 'coalesce(o.amount, -1)', cast: '::bigint' },
  updatedAt: { expr: `to_char(o.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`, cast: '::text' },
};

/** The opportunities that match, one page at a time in a stable order (keyset paging; ties broken by id). */
export async function searchOpportunities(manager: EntityManager, search: OpportunitySearch): Promise<OpportunityListPage> {
  const table = manager.getRepository(OpportunityListEntry).metadata.tablePath;
  const sort: OpportunitySort = search.sort ?? '-updatedAt';
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, cursorOf(sort));
  const { params, p } = sqlParameters();
  const where: string[] = [];
  if (search.owner !== undefined) where.push(`o.owner = ${p(search.owner)}`);
  if (search.team !== undefined) where.push(`o.team = ${p(search.team)}`);
  if (search.stages?.length) where.push(`o.stage = ANY(${p([...search.stages])}::text[])`);
  if (search.pipelineId !== undefined) where.push(`o.pipeline_id = ${p(search.pipelineId)}`);
  if (search.customerIds !== undefined) where.push(`o.customer_id = ANY(${p([...search.customerIds])}::text[])`);
  if (search.closeFrom !== undefined) where.push(`o.expected_close_date >= ${p(search.closeFrom)}`);
  if (search.closeTo !== undefined) where.push(`o.expected_close_date <= ${p(search.closeTo)}`);
  if (search.currency !== undefined) where.push(`o.currency = ${p(search.currency)}`);
  if (search.amountMin !== undefined) where.push(`o.amount >= ${p(search.amountMin)}::bigint`);
  if (search.amountMax !== undefined) where.push(`o.amount <= ${p(search.amountMax)}::bigint`);
  if (search.statuses?.length) where.push(`o.status = ANY(${p([...search.statuses])}::text[])`);
  const desc = sort.startsWith('-');
  const { expr, cast } = KEYS[(desc ? sort.slice(1) : sort) as keyof typeof KEYS];
  if (after) {
    const [, , afterKey, afterId] = after;
    const key = p(afterKey);
    const id = p(afterId);
    where.push(keysetAfter({ expr, cast, desc }, 'o.episode_id', key, id));
  }
  const limit = p(search.limit + 1);
  const rows = (await manager.query(
    `SELECT o.*, ${expr} AS sort_key FROM ${table} o
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_key ${desc ? 'DESC' : 'ASC'}, o.episode_id ASC
     LIMIT ${limit}`,
    params,
  )) as (Record<string, unknown> & { episode_id: string; sort_key: string | number })[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  const numeric = sort === 'amount' || sort === '-amount';
  return {
    items: page.map(toItem),
    ...(rows.length > search.limit &&
      last && { nextCursor: encodeCursor(['opportunities', sort, numeric ? Number(last.sort_key) : String(last.sort_key), last.episode_id]) }),
  };
}

const instant = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

function toItem(r: Record<string, unknown>): OpportunityListItem {
  return {
    opportunityId: String(r.episode_id),
    customerId: String(r.customer_id),
    name: String(r.name),
    pipelineId: String(r.pipeline_id),
    stage: String(r.stage),
    probability: Number(r.probability),
    amount: r.amount === null ? null : Number(r.amount),
    currency: (r.currency as string | null) ?? null,
    expectedCloseDate: (r.expected_close_date as string | null) ?? null,
    owner: String(r.owner),
    team: (r.team as string | null) ?? null,
    nextStep: (r.next_step as string | null) ?? null,
    competitors: (r.competitors as string[] | null) ?? [],
    status: r.status as OpportunityStatus,
    closeReason: (r.close_reason as string | null) ?? null,
    openedAt: instant(r.opened_at)!,
    stageEnteredAt: instant(r.stage_entered_at)!,
    closedAt: instant(r.closed_at),
    updatedAt: instant(r.updated_at)!,
    interactions: Number(r.interactions),
  };
}

export const PIPELINE_GROUPS = ['pipeline', 'owner', 'team'] as const;
export type PipelineGroup = (typeof PIPELINE_GROUPS)[number];

export interface PipelineReportQuery {
  /** What the report said at this instant (by when the store recorded each change); now when absent. */
  asOf?: Date;
  /** Besides pipeline and stage, per owner or per team (default: per pipeline only). */
  groupBy?: PipelineGroup;
  pipelineId?: string;
  owner?: string;
  team?: string;
}

/** Open opportunities in one stage (of one owner or team, in one currency): how many, worth how much, and that weighted by probability. */
export interface PipelineReportCell {
  pipelineId: string;
  stage: string;
  owner?: string;
  team?: string | null;
  /** Null: opportunities without an amount (counted, worth nothing yet). */
  currency: string | null;
  count: number;
  /** Minor units of `currency`. */
  amount: number;
  /** Σ amount × probability / 100, rounded to a minor unit. */
  weightedAmount: number;
}

/**
 * The open pipeline by stage — count, amount and probability-weighted amount — per pipeline, or per
 * owner or team too, in each currency (amounts of different currencies are never added up). From
 * the opportunities' versions: `asOf` answers with the versions in force at that instant.
 */
export async function pipelineReport(manager: EntityManager, q: PipelineReportQuery): Promise<PipelineReportCell[]> {
  const table = manager.getRepository(OpportunityVersion).metadata.tablePath;
  const { params, p } = sqlParameters();
  const where = [`v.status = 'open'`];
  if (q.asOf) {
    const at = p(q.asOf.toISOString());
    where.push(`v.valid_from <= ${at}::timestamptz AND (v.valid_to IS NULL OR v.valid_to > ${at}::timestamptz)`);
  } else where.push('v.valid_to IS NULL');
  if (q.pipelineId !== undefined) where.push(`v.pipeline_id = ${p(q.pipelineId)}`);
  if (q.owner !== undefined) where.push(`v.owner = ${p(q.owner)}`);
  if (q.team !== undefined) where.push(`v.team = ${p(q.team)}`);
  const group = q.groupBy === 'owner' ? ', v.owner' : q.groupBy === 'team' ? ', v.team' : '';
  const rows = (await manager.query(
    `SELECT v.pipeline_id, v.stage${group}, v.currency, count(*)::int AS count, coalesce(sum(v.amount), 0)::text AS amount,
            round(coalesce(sum(v.amount * v.probability), 0) / 100.0)::bigint::text AS weighted
     FROM ${table} v WHERE ${where.join(' AND ')}
     GROUP BY v.pipeline_id, v.stage${group}, v.currency
     ORDER BY v.pipeline_id, v.stage${group}, v.currency NULLS LAST`,
    params,
  )) as {
    pipeline_id: string;
    stage: string;
    owner?: string;
    team?: string | null;
    currency: string | null;
    count: number;
    amount: string;
    weighted: string;
  }[];
  return rows.map((r) => ({
    pipelineId: r.pipeline_id,
    stage: r.stage,
    ...(q.groupBy === 'owner' && { owner: r.owner }),
    ...(q.groupBy === 'team' && { team: r.team ?? null }),
    currency: r.currency,
    count: Number(r.count),
    amount: Number(r.amount),
    weightedAmount: Number(r.weighted),
  }));
}

export interface ForecastItemsQuery {
  /** The versions in force at this instant; now when absent. */
  asOf?: Date;
  /** First and last day (inclusive): open ones by expected close date, won ones by the day (UTC) they closed. */
  from: string;
  to: string;
  pipelineId?: string;
  owner?: string;
  team?: string;
}

/**
 * The opportunities the forecast sums (open ones expected to close in the range, won ones closed in
 * it), as they were at `asOf`, from the versions table. A win is worth its recorded value in its
 * currency, else the amount. Versions recorded before the close date and the win were kept there
 * carry neither: rebuild the read model to fill them.
 */
export async function forecastItems(manager: EntityManager, q: ForecastItemsQuery): Promise<ForecastItem[]> {
  const table = manager.getRepository(OpportunityVersion).metadata.tablePath;
  const { params, p } = sqlParameters();
  const where: string[] = [];
  if (q.asOf) {
    const at = p(q.asOf.toISOString());
    where.push(`v.valid_from <= ${at}::timestamptz AND (v.valid_to IS NULL OR v.valid_to > ${at}::timestamptz)`);
  } else where.push('v.valid_to IS NULL');
  const from = p(q.from);
  const to = p(q.to);
  where.push(
    `((v.status = 'open' AND v.expected_close_date BETWEEN ${from} AND ${to})
      OR (v.status = 'won' AND v.closed_at >= ${from}::date::timestamp AT TIME ZONE 'UTC' AND v.closed_at < (${to}::date + 1)::timestamp AT TIME ZONE 'UTC'))`,
  );
  if (q.pipelineId !== undefined) where.push(`v.pipeline_id = ${p(q.pipelineId)}`);
  if (q.owner !== undefined) where.push(`v.owner = ${p(q.owner)}`);
  if (q.team !== undefined) where.push(`v.team = ${p(q.team)}`);
  const rows = (await manager.query(
    `SELECT v.pipeline_id, v.owner, v.team, v.status, v.probability, v.amount::text AS amount, v.currency, round(v.won_value)::bigint::text AS won_value, v.won_currency,
            v.expected_close_date, to_char(v.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS closed_day
     FROM ${table} v WHERE ${where.join(' AND ')}`,
    params,
  )) as {
    pipeline_id: string;
    owner: string;
    team: string | null;
    status: 'open' | 'won';
    probability: number;
    amount: string | null;
    currency: string | null;
    won_value: string | null;
    won_currency: string | null;
    expected_close_date: string | null;
    closed_day: string | null;
  }[];
  return rows.map((r) => {
    const won = r.status === 'won' && r.won_value !== null && r.won_currency !== null;
    return {
      pipelineId: r.pipeline_id,
      owner: r.owner,
      team: r.team ?? null,
      status: r.status,
      probability: Number(r.probability),
      amount: won ? Number(r.won_value) : r.amount === null ? null : Number(r.amount),
      currency: won ? r.won_currency : (r.currency ?? null),
      day: r.status === 'won' ? r.closed_day! : r.expected_close_date!,
    };
  });
}
