import { ERASED, type CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { isQualified, scoreLead, type LeadQualification } from '@crm/relationship';
import type { EntityManager } from 'typeorm';
import { applyFolded, type FoldedRows } from './folded-rows';
import { searchable } from './customer-directory.projection';
import { LeadListEntry } from './lead-list.entities';

/** The events the leads list keeps up with (published with the lead as subject). */
export type LeadListEvent = CrmIntegrationEvent<
  'LeadCaptured' | 'LeadQualified' | 'LeadAssigned' | 'LeadDisqualified' | 'LeadConverted' | 'LeadPersonalDataErased'
>;

const LEAD_LIST_TYPES: LeadListEvent['type'][] = [
  'LeadCaptured',
  'LeadQualified',
  'LeadAssigned',
  'LeadDisqualified',
  'LeadConverted',
  'LeadPersonalDataErased',
];

/** A row of the leads list, by column name. */
export interface LeadRow {
  lead_id: string;
  name: string;
  company: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  external_id: string | null;
  country: string | null;
  region: string | null;
  status: string;
  owner: string | null;
  assigned_by_rule: string | null;
  base_score: number;
  timeline: string | null;
  captured_at: string;
  matching_customer_id: string | null;
  customer_id: string | null;
  sort_name: string;
  search_text: string;
}

/** The score without the time-dependent rule (a purchase within 90 days): the query adds that part for "now". */
function baseScore(qualification: LeadQualification, email: string | null, phone: string | null): number {
  const { timeline: _timeline, ...rest } = qualification;
  return scoreLead({ qualification: rest, email: email ?? undefined, phone: phone ?? undefined }, new Date(0)).score;
}

const instant = (value: string | undefined) => (value === undefined || Number.isNaN(Date.parse(value)) ? null : new Date(value).toISOString());

/**
 * One event applied to a lead's row. Pure: the batch and the one-by-one paths fold through it.
 * Throws for a change to a lead the list does not have (the runner parks it and what follows).
 */
export function foldLead(row: LeadRow | undefined, event: LeadListEvent): LeadRow {
  if (event.type === 'LeadCaptured') {
    if (row) return row; // delivered again
    const d = event.data;
    const email = d.email ?? null;
    const phone = d.phone ?? null;
    return {
      lead_id: d.leadId,
      name: d.name,
      company: d.company ?? null,
      email,
      phone,
      source: d.source,
      external_id: d.externalId ?? null,
      country: d.country ?? null,
      region: d.region ?? null,
      status: isQualified(d.qualification) ? 'qualified' : 'new',
      owner: null,
      assigned_by_rule: null,
      base_score: baseScore(d.qualification, email, phone),
      timeline: instant(d.qualification.timeline),
      captured_at: new Date(d.capturedAt).toISOString(),
      matching_customer_id: d.matchingCustomerId ?? null,
      customer_id: null,
      sort_name: searchable(d.name),
      search_text: searchable([d.name, d.company ?? '', d.email ?? ''].filter(Boolean).join(' ')),
    };
  }
  if (!row) throw new Error(`lead ${event.data.leadId} is not in the leads list`);
  switch (event.type) {
    case 'LeadQualified': {
      const q = event.data.qualification;
      const closed = row.status === 'disqualified' || row.status === 'converted';
      return {
        ...row,
        status: closed ? row.status : isQualified(q) ? 'qualified' : 'new',
        base_score: baseScore(q, row.email, row.phone),
        timeline: instant(q.timeline),
      };
    }
    case 'LeadAssigned':
      return { ...row, owner: event.data.owner, assigned_by_rule: event.data.rule ?? null };
    case 'LeadDisqualified':
      return { ...row, status: 'disqualified' };
    case 'LeadConverted':
      return { ...row, status: 'converted', customer_id: event.data.customerId };
    case 'LeadPersonalDataErased':
      return { ...row, name: ERASED, company: null, email: null, phone: null, sort_name: searchable(ERASED), search_text: '' };
  }
}

const COLUMNS =
  'lead_id, name, company, email, phone, source, external_id, country, region, status, owner, assigned_by_rule, base_score, timeline, captured_at, matching_customer_id, customer_id, sort_name, search_text';
const RECORD =
  'lead_id text, name text, company text, email text, phone text, source text, external_id text, country text, region text, status text, owner text, assigned_by_rule text, base_score integer, timeline timestamptz, captured_at timestamptz, matching_customer_id text, customer_id text, sort_name text, search_text text';

type StoredLeadRow = Omit<LeadRow, 'timeline' | 'captured_at'> & { timeline: Date | string | null; captured_at: Date | string };

/**
 * The leads list (sales): fed like every read model — from the bus (consumer group
 * `read-models.<service>`, dedupe records) or straight from the store (embedded), through the same
 * `ProjectionRunner`, so its rows change in the transaction that records how far it got.
 */
export function leadListProjection(owner: string): Projection<LeadListEvent> {
  const rows: FoldedRows<LeadListEvent, LeadRow, StoredLeadRow> = {
    table: (manager) => manager.getRepository(LeadListEntry).metadata.tablePath,
    key: 'lead_id',
    columns: COLUMNS,
    record: RECORD,
    idOf: (e) => e.data.leadId,
    fromStored: (r) => ({
      ...r,
      timeline: r.timeline === null ? null : new Date(r.timeline).toISOString(),
      captured_at: new Date(r.captured_at).toISOString(),
    }),
    fold: foldLead,
  };
  /** Each lead of the batch read once, folded in order, written back in one statement. */
  const applyBatch = (events: readonly LeadListEvent[], manager: EntityManager) => applyFolded(rows, events, manager);
  return {
    name: `${owner}.lead-list`,
    entities: [LeadListEntry],
    handles: LEAD_LIST_TYPES,
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
