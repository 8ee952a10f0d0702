import type { EntityManager } from 'typeorm';
import { searchable } from './customer-directory.projection';
import { cursorParts, decodeCursor, encodeCursor, keysetAfter } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';
import { LeadListEntry } from './lead-list.entities';

export const LEAD_SORTS = ['captured-at', 'score', 'name'] as const;
export type LeadSort = (typeof LEAD_SORTS)[number];

export interface LeadSearch {
  /** Words to find in name, company and e-mail (each as a substring; case and accents ignored). */
  q?: string;
  /** Any of these statuses. */
  statuses?: readonly string[];
  /** Any of these sources. */
  sources?: readonly string[];
  owner?: string;
  /** Only leads nobody owns yet. */
  unassigned?: boolean;
  scoreMin?: number;
  scoreMax?: number;
  capturedFrom?: Date;
  capturedTo?: Date;
  /** Default `captured-at` (newest first); `score` highest first; `name` A–Z. */
  sort?: LeadSort;
  limit: number;
  cursor?: string;
  /** The moment scores are computed for (the clock's now); a cursor keeps the one of its first page. */
  now: Date;
}

export interface LeadListItem {
  leadId: string;
  name: string;
  company: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  status: string;
  score: number;
  owner: string | null;
  assignedByRule: string | null;
  country: string | null;
  region: string | null;
  capturedAt: string;
  matchingCustomerId: string | null;
  customerId: string | null;
}

export interface LeadListPage {
  items: LeadListItem[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** `['leads', sort, key, leadId, now]`: the score sort keys on an integer, the others on text; `now` is the first page's moment. */
const cursorOf = (sort: LeadSort) =>
  [
    cursorParts.list('leads'),
    cursorParts.sort(sort),
    sort === 'score' ? cursorParts.integer() : cursorParts.text(),
    cursorParts.text({ max: 200 }),
    cursorParts.integer(),
  ] as const;

/**
 * The leads that match, one page at a time in a stable order (keyset paging; ties broken by lead
 * id). The score is the one `GET /leads/{id}` shows, computed for `now` — and for every later page
 * of a list for the `now` of its first page, so the order cannot shift under the cursor.
 */
export async function searchLeads(manager: EntityManager, search: LeadSearch): Promise<LeadListPage> {
  const table = manager.getRepository(LeadListEntry).metadata.tablePath;
  const sort: LeadSort = search.sort ?? 'captured-at';
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, cursorOf(sort));
  const now = after ? after[4] : search.now.getTime();
  const { params, p } = sqlParameters();
  const at = p(new Date(now).toISOString());
  const score = `(l.base_score + CASE WHEN l.timeline >= ${at}::timestamptz AND l.timeline <= ${at}::timestamptz + interval '90 days' THEN 20 ELSE 0 END)`;
  const where: string[] = [];
  const words = (search.q === undefined ? '' : searchable(search.q)).split(' ').filter(Boolean).slice(0, 10);
  for (const w of words) where.push(`l.search_text LIKE ${p(`%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (search.statuses?.length) where.push(`l.status = ANY(${p([...search.statuses])}::text[])`);
  if (search.sources?.length) where.push(`l.source = ANY(${p([...search.sources])}::text[])`);
  if (search.owner !== undefined) where.push(`l.owner = ${p(search.owner)}`);
  if (search.unassigned) where.push('l.owner IS NULL');
  if (search.scoreMin !== undefined) where.push(`${score} >= ${p(search.scoreMin)}`);
  if (search.scoreMax !== undefined) where.push(`${score} <= ${p(search.scoreMax)}`);
  if (search.capturedFrom) where.push(`l.captured_at >= ${p(search.capturedFrom.toISOString())}::timestamptz`);
  if (search.capturedTo) where.push(`l.captured_at < ${p(search.capturedTo.toISOString())}::timestamptz`);

  const keys: Record<LeadSort, { expr: string; desc: boolean; cast: string }> = {
    'captured-at': { expr: `to_char(l.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`, desc: true, cast: '::text' },
    score: { expr: score, desc: true, cast: '::integer' },
    name: { expr: 'l.sort_name', desc: false, cast: '::text' },
  };
  const { expr, desc, cast } = keys[sort];
  if (after) {
    const [, , afterKey, afterId] = after;
    const key = p(afterKey);
    const id = p(afterId);
    where.push(keysetAfter({ expr, cast, desc }, 'l.lead_id', key, id));
  }
  const limit = p(search.limit + 1);
  const rows = (await manager.query(
    `SELECT l.lead_id, l.name, l.company, l.email, l.phone, l.source, l.status, ${score} AS score, l.owner, l.assigned_by_rule, l.country, l.region,
            l.captured_at, l.matching_customer_id, l.customer_id, ${expr} AS sort_key
     FROM ${table} l
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_key ${desc ? 'DESC' : 'ASC'}, l.lead_id ASC
     LIMIT ${limit}`,
    params,
  )) as {
    lead_id: string;
    name: string;
    company: string | null;
    email: string | null;
    phone: string | null;
    source: string;
    status: string;
    score: number | string;
    owner: string | null;
    assigned_by_rule: string | null;
    country: string | null;
    region: string | null;
    captured_at: Date | string;
    matching_customer_id: string | null;
    customer_id: string | null;
    sort_key: string | number;
  }[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      leadId: r.lead_id,
      name: r.name,
      company: r.company,
      email: r.email,
      phone: r.phone,
      source: r.source,
      status: r.status,
      score: Number(r.score),
      owner: r.owner,
      assignedByRule: r.assigned_by_rule,
      country: r.country,
      region: r.region,
      capturedAt: new Date(r.captured_at).toISOString(),
      matchingCustomerId: r.matching_customer_id,
      customerId: r.customer_id,
    })),
    ...(rows.length > search.limit &&
      last && { nextCursor: encodeCursor(['leads', sort, sort === 'score' ? Number(last.sort_key) : String(last.sort_key), last.lead_id, now]) }),
  };
}

/** Leads a rule assigned so far (a round robin continues its turn from there after a restart). */
export async function leadsAssignedByRule(manager: EntityManager, ruleId: string): Promise<number> {
  const table = manager.getRepository(LeadListEntry).metadata.tablePath;
  const [row] = (await manager.query(`SELECT count(*)::int AS n FROM ${table} WHERE assigned_by_rule = $1`, [ruleId])) as { n: number }[];
  return Number(row?.n ?? 0);
}
