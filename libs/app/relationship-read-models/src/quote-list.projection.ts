import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { cursorParts, decodeCursor, encodeCursor, keysetAfter } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';
import { QuoteListEntry } from './quote-list.entities';

/** The events the quote list keeps up with (published with the customer as subject). */
export type QuoteListEvent = CrmIntegrationEvent<
  | 'QuoteDrafted'
  | 'QuoteRevised'
  | 'QuoteDiscountApprovalRequested'
  | 'QuoteDiscountApproved'
  | 'QuoteDiscountRejected'
  | 'QuoteSent'
  | 'QuoteAccepted'
  | 'QuoteDeclined'
>;

const QUOTE_LIST_TYPES: QuoteListEvent['type'][] = [
  'QuoteDrafted',
  'QuoteRevised',
  'QuoteDiscountApprovalRequested',
  'QuoteDiscountApproved',
  'QuoteDiscountRejected',
  'QuoteSent',
  'QuoteAccepted',
  'QuoteDeclined',
];

async function applyOne(event: QuoteListEvent, manager: EntityManager): Promise<void> {
  const quotes = manager.getRepository(QuoteListEntry);
  if (event.type === 'QuoteDrafted') {
    const d = event.data;
    if (await quotes.existsBy({ quoteId: d.quoteId })) return; // delivered again
    await quotes.insert({
      quoteId: d.quoteId,
      opportunityId: d.opportunityId,
      customerId: d.customerId,
      version: d.version,
      status: 'draft',
      currency: d.currency,
      netTotal: String(d.totals.netTotal),
      grandTotal: String(d.totals.grandTotal),
      quoteDate: d.quoteDate,
      validUntil: d.validUntil ?? null,
      preparedBy: d.preparedBy,
      draftedAt: new Date(d.preparedAt),
      updatedAt: new Date(d.preparedAt),
    });
    return;
  }
  const row = await quotes.findOneBy({ quoteId: event.data.quoteId });
  if (!row) throw new Error(`quote ${event.data.quoteId} is not in the quote list`);
  const only = (version: number) => version === row.version; // an event about an older version changes nothing here
  switch (event.type) {
    case 'QuoteRevised': {
      const d = event.data;
      if (d.version <= row.version) return;
      await quotes.update(
        { quoteId: d.quoteId },
        {
          version: d.version,
          status: 'draft',
          currency: d.currency,
          netTotal: String(d.totals.netTotal),
          grandTotal: String(d.totals.grandTotal),
          quoteDate: d.quoteDate,
          validUntil: d.validUntil ?? null,
          preparedBy: d.preparedBy,
          updatedAt: new Date(d.preparedAt),
        },
      );
      return;
    }
    case 'QuoteDiscountApprovalRequested':
      if (only(event.data.version)) await quotes.update({ quoteId: row.quoteId }, { status: 'awaiting-approval', updatedAt: new Date(event.data.requestedAt) });
      return;
    case 'QuoteDiscountApproved':
      if (only(event.data.version)) await quotes.update({ quoteId: row.quoteId }, { status: 'draft', updatedAt: new Date(event.data.approvedAt) });
      return;
    case 'QuoteDiscountRejected':
      if (only(event.data.version)) await quotes.update({ quoteId: row.quoteId }, { status: 'discount-rejected', updatedAt: new Date(event.data.rejectedAt) });
      return;
    case 'QuoteSent':
      if (only(event.data.version)) await quotes.update({ quoteId: row.quoteId }, { status: 'sent', updatedAt: new Date(event.data.sentAt) });
      return;
    case 'QuoteDeclined':
      if (only(event.data.version)) await quotes.update({ quoteId: row.quoteId }, { status: 'declined', updatedAt: new Date(event.data.declinedAt) });
      return;
    case 'QuoteAccepted':
      await quotes.update({ quoteId: row.quoteId }, { status: 'accepted', updatedAt: new Date(event.data.acceptedAt) });
      return;
  }
}

/** The quote list (sales): one row per quote, its current version's status and totals. */
export function quoteListProjection(owner: string): Projection<QuoteListEvent> {
  return { name: `${owner}.quote-list`, entities: [QuoteListEntry], handles: QUOTE_LIST_TYPES, apply: applyOne };
}

export const QUOTE_STATUSES = ['draft', 'awaiting-approval', 'discount-rejected', 'sent', 'declined', 'accepted'] as const;

export interface QuoteSearch {
  opportunityId?: string;
  /** The customer and those merged into it (`customerFilterIds`). */
  customerIds?: readonly string[];
  statuses?: readonly string[];
  limit: number;
  cursor?: string;
}

export interface QuoteListItem {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  version: number;
  status: string;
  currency: string;
  netTotal: number;
  grandTotal: number;
  quoteDate: string;
  validUntil: string | null;
  preparedBy: string;
  draftedAt: string;
  updatedAt: string;
}

const day = (v: string | Date | null) => (v === null ? null : typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));

/** The quotes of an opportunity or a customer, newest draft first, one page at a time (keyset; ties by quote id). */
export async function searchQuotes(manager: EntityManager, search: QuoteSearch): Promise<{ items: QuoteListItem[]; nextCursor?: string }> {
  const table = manager.getRepository(QuoteListEntry).metadata.tablePath;
  const { params, p } = sqlParameters();
  const where: string[] = [];
  if (search.opportunityId !== undefined) where.push(`opportunity_id = ${p(search.opportunityId)}`);
  if (search.customerIds !== undefined) where.push(`customer_id = ANY(${p([...search.customerIds])}::text[])`);
  if (search.statuses?.length) where.push(`status = ANY(${p([...search.statuses])}::text[])`);
  const key = `to_char(drafted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  if (search.cursor !== undefined) {
    const [, afterDrafted, afterId] = decodeCursor(search.cursor, [
      cursorParts.list('quotes'),
      cursorParts.text({ pattern: /^\d{4}-\d{2}-\d{2}T[\d:.]+$/, max: Number.POSITIVE_INFINITY }),
      cursorParts.text({ max: Number.POSITIVE_INFINITY }),
    ]);
    where.push(keysetAfter({ expr: key, desc: true }, 'quote_id', p(afterDrafted), p(afterId)));
  }
  const rows = (await manager.query(
    `SELECT quote_id, opportunity_id, customer_id, version, status, currency, net_total, grand_total, quote_date::text AS quote_date,
            valid_until::text AS valid_until, prepared_by, drafted_at, updated_at, ${key} AS sort_key
     FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sort_key DESC, quote_id ASC LIMIT ${p(search.limit + 1)}`,
    params,
  )) as {
    quote_id: string;
    opportunity_id: string;
    customer_id: string;
    version: number;
    status: string;
    currency: string;
    net_total: string | number;
    grand_total: string | number;
    quote_date: string;
    valid_until: string | null;
    prepared_by: string;
    drafted_at: Date | string;
    updated_at: Date | string;
    sort_key: string;
  }[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      quoteId: r.quote_id,
      opportunityId: r.opportunity_id,
      customerId: r.customer_id,
      version: Number(r.version),
      status: r.status,
      currency: r.currency,
      netTotal: Number(r.net_total),
      grandTotal: Number(r.grand_total),
      quoteDate: day(r.quote_date)!,
      validUntil: day(r.valid_until),
      preparedBy: r.prepared_by,
      draftedAt: new Date(r.drafted_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
    })),
    ...(rows.length > search.limit && last && { nextCursor: encodeCursor(['quotes', last.sort_key, last.quote_id]) }),
  };
}
