import { ERASED, mapPersonalFields, type CrmIntegrationEvent } from '@crm/contracts';
import { parsePosition } from '@crm/event-store';
import { insertRows, type BulkColumn, type Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { PartnerAccess, TimelineEntry } from './timeline.entities';

const TIMELINE_TYPES = [
  'EpisodeOpened',
  'InteractionRecorded',
  'OpportunityStageAdvanced',
  'EpisodeClosed',
  'OpportunityStageChanged',
  'CaseReopened',
  // returns and repairs (issue 12 §5): the return's own episode, linked to its case by ReturnRequested
  'ReturnRequested',
  'ReturnAuthorised',
  'ReturnDenied',
  'ReturnShipmentUpdated',
  'RepairAssigned',
  'RepairStatusChanged',
] as const;

/** The return's steps the timeline shows on the return's episode (ReturnRequested is its link to the case). */
export const RETURN_STEP_KINDS = ['ReturnAuthorised', 'ReturnDenied', 'ReturnShipmentUpdated', 'RepairAssigned', 'RepairStatusChanged'] as const;

/**
 * The events the timeline shows: every step of an episode (a resolved case reopened opens its episode
 * again; a return's steps). New kinds were added without a new version of the read model: no event of
 * them existed before they were handled, so a rebuild shows nothing the running projection did not.
 */
export type TimelineEvent = CrmIntegrationEvent<(typeof TIMELINE_TYPES)[number]>;

/** A timeline entry as written: one record of the batch's JSON parameter (column names). */
export interface TimelineEntryRow {
  event_id: string;
  customer_id: string;
  episode_id: string;
  kind: TimelineEvent['type'];
  position_commit: string;
  position_prepare: string;
  occurred_at: string;
  recorded_at: string;
  actor: unknown;
  data: TimelineEvent['data'];
  owner_partner_id: string | null;
}

/** The columns of a timeline entry, as `insertRows` writes them. */
const TIMELINE_COLUMNS: readonly BulkColumn<keyof TimelineEntryRow>[] = [
  { name: 'event_id', type: 'uuid' },
  { name: 'customer_id', type: 'text' },
  { name: 'episode_id', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'position_commit', type: 'bigint' },
  { name: 'position_prepare', type: 'bigint' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'recorded_at', type: 'timestamptz' },
  { name: 'actor', type: 'jsonb' },
  { name: 'data', type: 'jsonb' },
  { name: 'owner_partner_id', type: 'text' },
];

/** The partner owning the episode an opening opens (null: a department's episode). */
export function episodeOwnerPartner(event: CrmIntegrationEvent<'EpisodeOpened'>): string | null {
  const owner = event.data.owner;
  return owner.kind === 'partner' ? (owner.partnerId ?? null) : null;
}

/** The episodes a batch touches but does not open: their owners are looked up in the table. */
export function episodesNotOpenedIn(events: readonly TimelineEvent[]): string[] {
  const opened = new Set(events.flatMap((e) => (e.type === 'EpisodeOpened' ? [e.data.episodeId] : [])));
  return [...new Set(events.map((e) => e.data.episodeId).filter((id) => !opened.has(id)))];
}

/**
 * The entries a batch adds to the timeline — the pure part of the projection. `storedOwners`: the
 * partner owning each episode opened before the batch (null: a department's), as the table has it.
 */
export function timelineEntries(events: readonly TimelineEvent[], storedOwners: ReadonlyMap<string, string | null>): TimelineEntryRow[] {
  // The partner owning each episode: opened in this batch, or already in the table.
  const owners = new Map(storedOwners);
  for (const e of events) if (e.type === 'EpisodeOpened') owners.set(e.data.episodeId, episodeOwnerPartner(e));
  return events.map((event) => {
    if (!event.position) throw new Error(`event ${event.id} has no store position; the timeline needs the global order`);
    const data = event.data;
    // An interaction, stage move or closing of an episode this timeline never saw opened has no
    // owner to scope it by: refusing it parks it instead of showing it to the wrong partner.
    if (!owners.has(data.episodeId)) throw new Error(`episode ${data.episodeId} was never opened in this timeline`);
    const position = parsePosition(event.position);
    return {
      event_id: event.id,
      customer_id: data.customerId,
      episode_id: data.episodeId,
      kind: event.type,
      position_commit: String(position.commit),
      position_prepare: String(position.prepare),
      occurred_at: occurredAt(event),
      recorded_at: event.recordedat ?? event.time,
      actor: JSON.parse(event.actor) as unknown,
      data,
      owner_partner_id: owners.get(data.episodeId) ?? null,
    };
  });
}

/** When the step happened, as the event says (the envelope's time only for what carries none). */
function occurredAt(event: TimelineEvent): string {
  switch (event.type) {
    case 'InteractionRecorded':
      return event.data.interaction.occurredAt;
    case 'EpisodeOpened':
      return event.data.openedAt;
    case 'EpisodeClosed':
      return event.data.closedAt;
    case 'OpportunityStageAdvanced':
      return event.data.advancedAt;
    case 'OpportunityStageChanged':
      return event.data.changedAt;
    case 'CaseReopened':
      return event.data.reopenedAt;
    case 'ReturnRequested':
      return event.data.requestedAt;
    case 'ReturnAuthorised':
      return event.data.authorisedAt;
    case 'ReturnDenied':
      return event.data.deniedAt;
    case 'ReturnShipmentUpdated':
      return event.data.updatedAt;
    case 'RepairAssigned':
      return event.data.assignedAt;
    case 'RepairStatusChanged':
      return event.data.changedAt;
  }
}

type ErasureEvent = CrmIntegrationEvent<'CustomerPersonalDataErased'>;

/**
 * An erasure: the customer's entries recorded up to it keep every field except the personal ones
 * (`PERSONAL_FIELDS`), which read as erased — what a rebuild from event 0 shows too.
 */
async function eraseEntries(manager: EntityManager, table: string, event: ErasureEvent): Promise<void> {
  const position = event.position ? parsePosition(event.position) : undefined;
  const entries = (await manager.query(
    `SELECT event_id, kind, data FROM ${table} WHERE customer_id = $1${position ? ' AND (position_commit, position_prepare) <= ($2::bigint, $3::bigint)' : ''}`,
    position ? [event.data.customerId, String(position.commit), String(position.prepare)] : [event.data.customerId],
  )) as { event_id: string; kind: string; data: unknown }[];
  const redacted = entries.flatMap((e) => {
    const data = mapPersonalFields(e.kind, e.data, () => ERASED);
    return data === e.data ? [] : [{ event_id: e.event_id, data }];
  });
  if (redacted.length === 0) return;
  await manager.query(`UPDATE ${table} t SET data = r.data FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, data jsonb) WHERE t.event_id = r.event_id`, [
    JSON.stringify(redacted),
  ]);
}

/** The relationship timeline every customer-facing service keeps (each in its own schema; `owner` names the service). */
export function timelineProjection(owner: string): Projection<TimelineEvent | ErasureEvent> {
  const applyBatch = async (all: readonly (TimelineEvent | ErasureEvent)[], manager: EntityManager) => {
    const table = manager.getRepository(TimelineEntry).metadata.tablePath;
    // Entries first, then erasures: an erasure only touches entries recorded before it.
    const events = all.filter((e): e is TimelineEvent => e.type !== 'CustomerPersonalDataErased');
    await insertEntries(events, manager, table);
    for (const e of all) if (e.type === 'CustomerPersonalDataErased') await eraseEntries(manager, table, e);
  };
  const insertEntries = async (events: readonly TimelineEvent[], manager: EntityManager, table: string) => {
    if (events.length === 0) return;
    const stored = new Map<string, string | null>();
    const unknown = episodesNotOpenedIn(events);
    if (unknown.length > 0) {
      const found = (await manager.query(`SELECT episode_id, owner_partner_id FROM ${table} WHERE episode_id = ANY($1::text[]) AND kind = 'EpisodeOpened'`, [
        unknown,
      ])) as {
        episode_id: string;
        owner_partner_id: string | null;
      }[];
      for (const r of found) stored.set(r.episode_id, r.owner_partner_id);
    }
    // One statement for the whole batch (COPY for a rebuild's pages on PostgreSQL).
    await insertRows(manager, table, TIMELINE_COLUMNS, timelineEntries(events, stored));
  };
  return {
    name: `${owner}.timeline`,
    entities: [TimelineEntry],
    // Pages of a customer's timeline read by it; applying reads by episode (the owner lookup, its
    // index kept), and by customer only for an erasure (created before the first one a rebuild meets).
    rebuildDeferredIndexes: { indexes: ['timeline_entries_customer_order'], neededBy: ['CustomerPersonalDataErased'] },
    handles: [...TIMELINE_TYPES, 'CustomerPersonalDataErased'],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}

/** The events that grant and revoke a partner's access to a customer. */
export type PartnerAccessEvent = CrmIntegrationEvent<'CustomerSharedWithPartner' | 'CustomerShareRevoked'>;

export interface PartnerAccessRow {
  partner_id: string;
  customer_id: string;
  granted: boolean;
  changed_at: string;
  expires_at: string | null;
  episode_types: string[] | null;
}

/** A grant's state is its latest event: the last one per (partner, customer) of a batch, in order of first appearance. */
export function latestGrants(events: readonly PartnerAccessEvent[]): PartnerAccessRow[] {
  const latest = new Map<string, PartnerAccessRow>();
  for (const event of events) {
    const d = event.data;
    const changedAt = event.type === 'CustomerSharedWithPartner' ? event.data.sharedAt : event.data.revokedAt;
    latest.set(`${d.partnerId}\u0000${d.customerId}`, {
      partner_id: d.partnerId,
      customer_id: d.customerId,
      granted: event.type === 'CustomerSharedWithPartner',
      changed_at: changedAt,
      // a revoke clears the scope; a share without one (before scopes) shows everything, forever
      expires_at: event.type === 'CustomerSharedWithPartner' ? (event.data.expiresAt ?? null) : null,
      episode_types: event.type === 'CustomerSharedWithPartner' ? (event.data.episodeTypes ?? null) : null,
    });
  }
  return [...latest.values()];
}

export function partnerAccessProjection(owner: string): Projection<PartnerAccessEvent> {
  const applyBatch = async (events: readonly PartnerAccessEvent[], manager: EntityManager) => {
    // One upsert of each grant's latest state.
    const table = manager.getRepository(PartnerAccess).metadata.tablePath;
    await manager.query(
      `INSERT INTO ${table} (partner_id, customer_id, granted, changed_at, expires_at, episode_types)
       SELECT partner_id, customer_id, granted, changed_at, expires_at, episode_types FROM jsonb_to_recordset($1::jsonb)
         AS r(partner_id text, customer_id text, granted boolean, changed_at timestamptz, expires_at timestamptz, episode_types jsonb)
       ON CONFLICT (partner_id, customer_id) DO UPDATE SET granted = EXCLUDED.granted, changed_at = EXCLUDED.changed_at,
         expires_at = EXCLUDED.expires_at, episode_types = EXCLUDED.episode_types`,
      [JSON.stringify(latestGrants(events))],
    );
  };
  return {
    name: `${owner}.partner-access`,
    entities: [PartnerAccess],
    handles: ['CustomerSharedWithPartner', 'CustomerShareRevoked'],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
