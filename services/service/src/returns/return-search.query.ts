import { cursorParts, decodeCursor, encodeCursor, keysetAfter, sqlParameters } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { ReturnListEntry } from './return-list.entities';

export const RETURN_SORTS = ['requestedAt', '-requestedAt', 'lastActivityAt', '-lastActivityAt'] as const;
export type ReturnSort = (typeof RETURN_SORTS)[number];

export interface ReturnSearch {
  statuses?: readonly string[];
  /** The customer and those merged into it (`customerFilterIds`). */
  customerIds?: readonly string[];
  caseId?: string;
  /** The provider the repair is with now. */
  partnerId?: string;
  rmaNumber?: string;
  /** true: not closed yet; false: closed. */
  open?: boolean;
  /** Default `-requestedAt` (newest first). */
  sort?: ReturnSort;
  limit: number;
  cursor?: string;
}

export interface ReturnListItem {
  returnId: string;
  customerId: string;
  caseId: string;
  productId: string;
  status: string;
  rmaNumber: string | null;
  warranty: string | null;
  legs: Record<string, string>;
  partnerId: string | null;
  repairStatus: string | null;
  requestedAt: string;
  lastActivityAt: string;
  outcome: string | null;
  closedAt: string | null;
}

export interface ReturnListPage {
  items: ReturnListItem[];
  nextCursor?: string;
}

/** `['returns', sort, key, id]`: every sort keys on a UTC timestamp to the microsecond. */
const cursorOf = (sort: ReturnSort) =>
  [
    cursorParts.list('returns'),
    cursorParts.sort(sort),
    cursorParts.text({ pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/ }),
    cursorParts.text({ max: 200 }),
  ] as const;

/** Sort keys as UTC text to the microsecond (keyset paging needs a total order: ties by id). */
const KEYS: Record<'requestedAt' | 'lastActivityAt', string> = {
  requestedAt: `to_char(r.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`,
  lastActivityAt: `to_char(r.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`,
};

/** The returns that match, one page at a time in a stable order. */
export async function searchReturns(manager: EntityManager, search: ReturnSearch): Promise<ReturnListPage> {
  const table = manager.getRepository(ReturnListEntry).metadata.tablePath;
  const sort: ReturnSort = search.sort ?? '-requestedAt';
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, cursorOf(sort));
  const { params, p } = sqlParameters();
  const where: string[] = [];
  if (search.statuses?.length) where.push(`r.status = ANY(${p([...search.statuses])}::text[])`);
  if (search.customerIds !== undefined) where.push(`r.customer_id = ANY(${p([...search.customerIds])}::text[])`);
  if (search.caseId !== undefined) where.push(`r.case_id = ${p(search.caseId)}`);
  if (search.partnerId !== undefined) where.push(`r.partner_id = ${p(search.partnerId)}`);
  if (search.rmaNumber !== undefined) where.push(`r.rma_number = ${p(search.rmaNumber)}`);
  if (search.open !== undefined) where.push(search.open ? 'r.closed_at IS NULL' : 'r.closed_at IS NOT NULL');
  const desc = sort.startsWith('-');
  const expr = KEYS[(desc ? sort.slice(1) : sort) as keyof typeof KEYS];
  if (after) {
    const [, , afterKey, afterId] = after;
    const key = p(afterKey);
    const id = p(afterId);
    where.push(keysetAfter({ expr, cast: '::text', desc }, 'r.return_id', key, id));
  }
  const limit = p(search.limit + 1);
  const rows = (await manager.query(
    `SELECT r.*, ${expr} AS sort_key FROM ${table} r
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_key ${desc ? 'DESC' : 'ASC'}, r.return_id ASC
     LIMIT ${limit}`,
    params,
  )) as (Record<string, unknown> & { return_id: string; sort_key: string })[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    ...(rows.length > search.limit && last && { nextCursor: encodeCursor(['returns', sort, String(last.sort_key), last.return_id]) }),
  };
}

/** A case's returns (what `GET /cases/{id}` shows): the linked episodes, oldest first. */
export async function returnsOfCase(manager: EntityManager, caseId: string): Promise<{ returnId: string; rmaNumber: string | null; status: string }[]> {
  const rows = await manager.getRepository(ReturnListEntry).find({ where: { caseId }, order: { requestedAt: 'ASC', returnId: 'ASC' } });
  return rows.map((r) => ({ returnId: r.returnId, rmaNumber: r.rmaNumber, status: r.status }));
}

const instant = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toItem(r: Record<string, unknown>): ReturnListItem {
  return {
    returnId: String(r.return_id),
    customerId: String(r.customer_id),
    caseId: String(r.case_id),
    productId: String(r.product_id),
    status: String(r.status),
    rmaNumber: text(r.rma_number),
    warranty: text(r.warranty),
    legs: (typeof r.legs === 'string' ? JSON.parse(r.legs) : r.legs) as Record<string, string>,
    partnerId: text(r.partner_id),
    repairStatus: text(r.repair_status),
    requestedAt: instant(r.requested_at)!,
    lastActivityAt: instant(r.last_activity_at)!,
    outcome: text(r.outcome),
    closedAt: instant(r.closed_at),
  };
}
