import { cursorParts, decodeCursor, encodeCursor } from '@crm/relationship-read-models';
import { compileRule, factsTables, type SegmentRule } from '@crm/segments';
import type { EntityManager } from 'typeorm';
import { SegmentDefinitionRow, SegmentMembershipRow } from './segments.entities';

/** The tables of marketing's read models the queries read (in the data source's schema). */
function tableOf(manager: EntityManager, entity: Function): string {
  return manager.getRepository(entity).metadata.tablePath;
}

export function marketingFactsTables(manager: EntityManager) {
  const customers = tableOf(manager, SegmentDefinitionRow);
  const schema = customers.includes('.') ? customers.slice(0, customers.indexOf('.')) : 'public';
  return factsTables(schema);
}

export interface SegmentListItem {
  segmentId: string;
  name: string;
  description?: string;
  segmentRevision: number;
  status: string;
  definedBy: string;
  definedAt: string;
  changedAt: string;
  /** Customers in it now (as the read model knows). */
  members: number;
}

const SEGMENT_CURSOR = [cursorParts.list('segments'), cursorParts.text({ min: 1, max: 100 })] as const;

/** Segments by name then id, `status` filtered; keyset-paged. */
export async function listSegments(
  manager: EntityManager,
  q: { status?: 'active' | 'archived'; limit: number; cursor?: string },
): Promise<{ items: SegmentListItem[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, SEGMENT_CURSOR)[1] : undefined;
  const params: unknown[] = [q.limit + 1];
  const where: string[] = [];
  if (q.status) where.push(`d.status = $${params.push(q.status)}`);
  if (after !== undefined) where.push(`d.segment_id > $${params.push(after)}`);
  const members = tableOf(manager, SegmentMembershipRow);
  const rows: Record<string, unknown>[] = await manager.query(
    `SELECT d.segment_id, d.name, d.description, d.segment_revision, d.status, d.defined_by, d.defined_at, d.changed_at,
       (SELECT count(*)::int FROM ${members} m WHERE m.segment_id = d.segment_id AND m.left_at IS NULL) AS members
     FROM ${tableOf(manager, SegmentDefinitionRow)} d ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.segment_id LIMIT $1`,
    params,
  );
  const page = rows.slice(0, q.limit).map((r) => ({
    segmentId: String(r.segment_id),
    name: String(r.name),
    ...(r.description !== null && { description: String(r.description) }),
    segmentRevision: Number(r.segment_revision),
    status: String(r.status),
    definedBy: String(r.defined_by),
    definedAt: new Date(r.defined_at as string).toISOString(),
    changedAt: new Date(r.changed_at as string).toISOString(),
    members: Number(r.members),
  }));
  return { items: page, nextCursor: rows.length > q.limit ? encodeCursor(['segments', page[page.length - 1].segmentId]) : null };
}

/** The active segments (the membership processor's work). */
export async function activeSegments(manager: EntityManager): Promise<{ segmentId: string; rule: SegmentRule; segmentRevision: number }[]> {
  const rows = await manager.getRepository(SegmentDefinitionRow).find({ where: { status: 'active' }, order: { segmentId: 'ASC' } });
  return rows.map((r) => ({ segmentId: r.segmentId, rule: r.rule as SegmentRule, segmentRevision: r.segmentRevision }));
}

/** Archived segments that still have members in the read model (the processor lets them leave). */
export async function archivedWithMembers(manager: EntityManager): Promise<{ segmentId: string; segmentRevision: number }[]> {
  const rows: { segment_id: string; segment_revision: number }[] = await manager.query(
    `SELECT d.segment_id, d.segment_revision FROM ${tableOf(manager, SegmentDefinitionRow)} d WHERE d.status = 'archived'
       AND EXISTS (SELECT 1 FROM ${tableOf(manager, SegmentMembershipRow)} m WHERE m.segment_id = d.segment_id AND m.left_at IS NULL)`,
  );
  return rows.map((r) => ({ segmentId: r.segment_id, segmentRevision: Number(r.segment_revision) }));
}

/** Who the rule selects now (or among `customerIds`), by customer id. */
export async function evaluateRule(
  manager: EntityManager,
  rule: SegmentRule,
  now: Date,
  currency: string,
  customerIds?: readonly string[],
): Promise<{ customerId: string; name: string }[]> {
  const q = compileRule(rule, { tables: marketingFactsTables(manager), now, currency, customerIds });
  const rows: { customer_id: string; name: string }[] = await manager.query(`${q.sql} ORDER BY c.customer_id`, q.params);
  return rows.map((r) => ({ customerId: r.customer_id, name: r.name }));
}

/** The live count and the first 20 customers (by id) a rule selects: `POST /segments/preview`. */
export async function previewRule(
  manager: EntityManager,
  rule: SegmentRule,
  now: Date,
  currency: string,
): Promise<{ count: number; sample: { customerId: string; name: string }[] }> {
  const q = compileRule(rule, { tables: marketingFactsTables(manager), now, currency });
  const [{ count }]: { count: number }[] = await manager.query(`SELECT count(*)::int AS count FROM (${q.sql}) matching`, q.params);
  const sample: { customer_id: string; name: string }[] = await manager.query(`${q.sql} ORDER BY c.customer_id LIMIT 20`, q.params);
  return { count, sample: sample.map((r) => ({ customerId: r.customer_id, name: r.name })) };
}

/** Current members among `customerIds` (all when absent), by id. */
export async function currentMemberIds(manager: EntityManager, segmentId: string, customerIds?: readonly string[]): Promise<string[]> {
  const params: unknown[] = [segmentId];
  const only = customerIds ? ` AND customer_id IN (SELECT jsonb_array_elements_text($${params.push(JSON.stringify(customerIds))}::jsonb))` : '';
  const rows: { customer_id: string }[] = await manager.query(
    `SELECT customer_id FROM ${tableOf(manager, SegmentMembershipRow)} WHERE segment_id = $1 AND left_at IS NULL${only} ORDER BY customer_id`,
    params,
  );
  return rows.map((r) => r.customer_id);
}

export interface SegmentMember {
  customerId: string;
  name: string | null;
  /** When this stay began. */
  since: string;
  /** The rule revision it entered by. */
  segmentRevision: number;
}

const MEMBER_CURSOR = [cursorParts.list('segment-members'), cursorParts.text({ min: 1, max: 200 })] as const;

/**
 * A segment's members now, or as of an instant (stays that had begun and not yet ended then), by
 * customer id, keyset-paged. A cursor given out for one `asOf` works with another (the key is the id).
 */
export async function segmentMembers(
  manager: EntityManager,
  segmentId: string,
  q: { asOf?: Date; limit: number; cursor?: string },
): Promise<{ items: SegmentMember[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, MEMBER_CURSOR)[1] : undefined;
  const params: unknown[] = [segmentId, q.limit + 1];
  const when = q.asOf
    ? `m.entered_at <= $${params.push(q.asOf.toISOString())}::timestamptz AND (m.left_at IS NULL OR m.left_at > $${params.length}::timestamptz)`
    : 'm.left_at IS NULL';
  const page = after !== undefined ? ` AND m.customer_id > $${params.push(after)}` : '';
  const facts = marketingFactsTables(manager);
  const rows: { customer_id: string; name: string | null; entered_at: string; entered_revision: number }[] = await manager.query(
    `SELECT m.customer_id, c.name, m.entered_at, m.entered_revision FROM ${tableOf(manager, SegmentMembershipRow)} m
       LEFT JOIN ${facts.customers} c ON c.customer_id = m.customer_id
     WHERE m.segment_id = $1 AND ${when}${page} ORDER BY m.customer_id LIMIT $2`,
    params,
  );
  const items = rows.slice(0, q.limit).map((r) => ({
    customerId: r.customer_id,
    name: r.name,
    since: new Date(r.entered_at).toISOString(),
    segmentRevision: Number(r.entered_revision),
  }));
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(['segment-members', items[items.length - 1].customerId]) : null };
}
