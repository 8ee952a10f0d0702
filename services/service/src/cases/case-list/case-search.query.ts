import { cursorParts, decodeCursor, encodeCursor } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { CaseListEntry } from './case-list.entities';

export const CASE_SORTS = ['openedAt', '-openedAt', 'lastActivityAt', '-lastActivityAt', 'priority', '-priority'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export interface CaseSearch {
  /** Any of these statuses. */
  statuses?: readonly string[];
  priorities?: readonly string[];
  severities?: readonly string[];
  team?: string;
  assigneeId?: string;
  channel?: string;
  category?: string;
  productId?: string;
  /** The customer and those merged into it (`customerFilterIds`). */
  customerIds?: readonly string[];
  /** Default `openedAt` (oldest first: the order a queue is worked in); `-` is descending. */
  sort?: CaseSort;
  limit: number;
  cursor?: string;
}

/** A case's service level in the list: its worst clock (every metric, every cycle). */
export const CASE_SLA_STATES = ['breached', 'warning', 'on-track', 'met'] as const;

export interface CaseListItem {
  /** Set when the list is joined with the service levels (`GET /cases`); null: none computed yet. */
  slaState?: string | null;
  /** The nearest due time of the case's running clocks, and its metric (null: none running, or service levels not joined). */
  slaDueAt?: string | null;
  slaDueMetric?: string | null;
  caseId: string;
  customerId: string;
  name: string;
  channel: string | null;
  status: string;
  priority: string;
  severity: string;
  category: string | null;
  productId: string | null;
  team: string | null;
  assigneeId: string | null;
  openedAt: string;
  lastActivityAt: string;
  resolvedAt: string | null;
  outcome: string | null;
  closedAt: string | null;
  reopenCount: number;
  interactions: number;
}

export interface CaseListPage {
  items: CaseListItem[];
  /** Pass as `cursor` for the next page (same filters and sort); absent on the last page. */
  nextCursor?: string;
}

const numericSort = (sort: CaseSort) => sort === 'priority' || sort === '-priority';
/** `['cases', sort, key, id]`: the priority sorts key on an integer, the others on a UTC timestamp to the microsecond. */
const cursorOf = (sort: CaseSort) =>
  [
    cursorParts.list('cases'),
    cursorParts.sort(sort),
    numericSort(sort) ? cursorParts.integer() : cursorParts.text({ pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/, max: Number.POSITIVE_INFINITY }),
    cursorParts.text({ max: 200 }),
  ] as const;

/** Sort keys, never null (keyset paging needs a total order); instants as UTC text to the microsecond. */
const KEYS: Record<'openedAt' | 'lastActivityAt' | 'priority', { expr: string; cast: string }> = {
  openedAt: { expr: `to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`, cast: '::text' },
  lastActivityAt: { expr: `to_char(c.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`, cast: '::text' },
  priority: { expr: 'c.priority_rank', cast: '::integer' },
};

/**
 * The query of a page, in parts: the cases table is `c`; another read model joins it by adding to
 * `joins` (`LEFT JOIN service.sla_state s ON s.episode_id = c.episode_id`), its columns to
 * `select`, and its filters to `where` — without touching paging or sorting.
 */
export interface CaseQueryParts {
  select: string[];
  joins: string[];
  where: string[];
  params: unknown[];
}

/** The cases that match, one page at a time in a stable order (keyset paging; ties broken by id). */
export async function searchCases(manager: EntityManager, search: CaseSearch, extend?: (parts: CaseQueryParts) => void): Promise<CaseListPage> {
  const table = manager.getRepository(CaseListEntry).metadata.tablePath;
  const sort: CaseSort = search.sort ?? 'openedAt';
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, cursorOf(sort));
  const parts: CaseQueryParts = { select: ['c.*'], joins: [], where: [], params: [] };
  const p = (value: unknown) => {
    parts.params.push(value);
    return `$${parts.params.length}`;
  };
  const where = parts.where;
  if (search.statuses?.length) where.push(`c.status = ANY(${p([...search.statuses])}::text[])`);
  if (search.priorities?.length) where.push(`c.priority = ANY(${p([...search.priorities])}::text[])`);
  if (search.severities?.length) where.push(`c.severity = ANY(${p([...search.severities])}::text[])`);
  if (search.team !== undefined) where.push(`c.team = ${p(search.team)}`);
  if (search.assigneeId !== undefined) where.push(`c.assignee_id = ${p(search.assigneeId)}`);
  if (search.channel !== undefined) where.push(`c.channel = ${p(search.channel)}`);
  if (search.category !== undefined) where.push(`c.category = ${p(search.category)}`);
  if (search.productId !== undefined) where.push(`c.product_id = ${p(search.productId)}`);
  if (search.customerIds !== undefined) where.push(`c.customer_id = ANY(${p([...search.customerIds])}::text[])`);
  extend?.(parts);
  const desc = sort.startsWith('-');
  const { expr, cast } = KEYS[(desc ? sort.slice(1) : sort) as keyof typeof KEYS];
  if (after) {
    const [, , afterKey, afterId] = after;
    const key = p(afterKey);
    const id = p(afterId);
    where.push(`(${expr} ${desc ? '<' : '>'} ${key}${cast} OR (${expr} = ${key}${cast} AND c.episode_id > ${id}))`);
  }
  const limit = p(search.limit + 1);
  const rows = (await manager.query(
    `SELECT ${parts.select.join(', ')}, ${expr} AS sort_key FROM ${table} c ${parts.joins.join(' ')}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_key ${desc ? 'DESC' : 'ASC'}, c.episode_id ASC
     LIMIT ${limit}`,
    parts.params,
  )) as (Record<string, unknown> & { episode_id: string; sort_key: string | number })[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    ...(rows.length > search.limit &&
      last && { nextCursor: encodeCursor(['cases', sort, numericSort(sort) ? Number(last.sort_key) : String(last.sort_key), last.episode_id]) }),
  };
}

const instant = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toItem(r: Record<string, unknown>): CaseListItem {
  return {
    caseId: String(r.episode_id),
    customerId: String(r.customer_id),
    name: String(r.name),
    channel: text(r.channel),
    status: String(r.status),
    priority: String(r.priority),
    severity: String(r.severity),
    category: text(r.category),
    productId: text(r.product_id),
    team: text(r.team),
    assigneeId: text(r.assignee_id),
    openedAt: instant(r.opened_at)!,
    lastActivityAt: instant(r.last_activity_at)!,
    resolvedAt: instant(r.resolved_at),
    outcome: text(r.outcome),
    closedAt: instant(r.closed_at),
    reopenCount: Number(r.reopen_count),
    interactions: Number(r.interactions),
    slaState: text(r.sla_state),
    slaDueAt: instant(r.sla_due_at),
    slaDueMetric: text(r.sla_due_metric),
  };
}
