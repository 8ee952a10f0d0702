import type { IntegrationEvent } from '@crm/bus';
import { parsePosition } from '@crm/event-store';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { CustomerDirectoryEntry, PartnerAccess, TimelineEntry } from './timeline.entities';

const TIMELINE_TYPES = ['EpisodeOpened', 'InteractionRecorded', 'OpportunityStageAdvanced', 'EpisodeClosed'] as const;

type EpisodeData = Record<string, unknown> & { episodeId: string; customerId: string };
type Owner = { kind: 'department'; department: string } | { kind: 'partner'; partnerId: string };

/** The relationship timeline every customer-facing service keeps (each in its own schema; `owner` names the service). */
export function timelineProjection(owner: string): Projection {
  const applyBatch = async (events: readonly IntegrationEvent[], manager: EntityManager) => {
    const table = manager.getRepository(TimelineEntry).metadata.tablePath;
    // The partner owning each episode: opened in this batch, or already in the table.
    const owners = new Map<string, string | null>();
    for (const e of events) {
      if (e.type === 'EpisodeOpened') {
        const o = (e.data as { owner: Owner }).owner;
        owners.set((e.data as EpisodeData).episodeId, o.kind === 'partner' ? o.partnerId : null);
      }
    }
    const unknown = [...new Set(events.map((e) => (e.data as EpisodeData).episodeId).filter((id) => !owners.has(id)))];
    if (unknown.length > 0) {
      const found = (await manager.query(`SELECT episode_id, owner_partner_id FROM ${table} WHERE episode_id = ANY($1::text[]) AND kind = 'EpisodeOpened'`, [unknown])) as {
        episode_id: string;
        owner_partner_id: string | null;
      }[];
      for (const r of found) owners.set(r.episode_id, r.owner_partner_id);
    }

    const rows = events.map((event) => {
      if (!event.position) throw new Error(`event ${event.id} has no store position; the timeline needs the global order`);
      const data = event.data as EpisodeData;
      // An interaction, stage move or closing of an episode this timeline never saw opened has no
      // owner to scope it by: refusing it parks it instead of showing it to the wrong partner.
      if (!owners.has(data.episodeId)) throw new Error(`episode ${data.episodeId} was never opened in this timeline`);
      const position = parsePosition(event.position);
      const occurredAt =
        event.type === 'InteractionRecorded' ? (data.interaction as { occurredAt: string }).occurredAt : String(data.openedAt ?? data.closedAt ?? data.advancedAt ?? event.time);
      return {
        event_id: event.id,
        customer_id: data.customerId,
        episode_id: data.episodeId,
        kind: event.type,
        position_commit: String(position.commit),
        position_prepare: String(position.prepare),
        occurred_at: occurredAt,
        recorded_at: event.recordedat ?? event.time,
        actor: JSON.parse(event.actor) as unknown,
        data,
        owner_partner_id: owners.get(data.episodeId) ?? null,
      };
    });
    // One statement and one JSON parameter for the whole batch (no per-element array escaping).
    await manager.query(
      `INSERT INTO ${table} (event_id, customer_id, episode_id, kind, position_commit, position_prepare, occurred_at, recorded_at, actor, data, owner_partner_id)
       SELECT event_id, customer_id, episode_id, kind, position_commit, position_prepare, occurred_at, recorded_at, actor, data, owner_partner_id
       FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, episode_id text, kind text, position_commit bigint, position_prepare bigint,
         occurred_at timestamptz, recorded_at timestamptz, actor jsonb, data jsonb, owner_partner_id text)`,
      [JSON.stringify(rows)],
    );
  };
  return {
    name: `${owner}.timeline`,
    entities: [TimelineEntry],
    handles: TIMELINE_TYPES,
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}

export function customerDirectoryProjection(owner: string): Projection {
  const table = (manager: EntityManager) => manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
  /** A change to a registered customer: one UPDATE; a customer the directory does not have is an error (parks the event). */
  const change = async (event: IntegrationEvent, manager: EntityManager) => {
    const d = event.data as Record<string, unknown> & { customerId: string };
    const changes: Record<string, [string, unknown]> = {
      CustomerContactAdded: ['contacts = contacts || jsonb_build_array($2::jsonb)', JSON.stringify(d.contact)],
      CustomerIdentityAdded: ['identities = identities || jsonb_build_array($2::jsonb)', JSON.stringify(d.identity)],
      CustomerJourneyStageChanged: ['journey_stage = $2', d.to],
      CustomerRelationshipPhaseChanged: ['relationship_phase = $2', d.to],
    };
    const [set, value] = changes[event.type];
    const updated = (await manager.query(`UPDATE ${table(manager)} SET ${set} WHERE customer_id = $1 RETURNING customer_id`, [d.customerId, value])) as unknown;
    const changed = Array.isArray(updated) ? (Array.isArray(updated[0]) ? (updated[0] as unknown[]).length : updated.length) : 0;
    if (changed === 0) throw new Error(`customer ${d.customerId} is not in the directory`);
  };
  const applyBatch = async (events: readonly IntegrationEvent[], manager: EntityManager) => {
    // Registrations first, all in one statement: a later change in the batch always concerns a
    // customer registered before it — in the table already or among these.
    const registrations = events
      .filter((e) => e.type === 'CustomerRegistered')
      .map((e) => {
        const d = e.data as Record<string, unknown>;
        return { customer_id: d.customerId, kind: d.kind, name: d.name, journey_stage: d.journeyStage, relationship_phase: d.relationshipPhase, contacts: d.contacts, identities: d.identities, registered_at: e.time };
      });
    if (registrations.length) {
      await manager.query(
        `INSERT INTO ${table(manager)} (customer_id, kind, name, journey_stage, relationship_phase, contacts, identities, registered_at)
         SELECT customer_id, kind, name, journey_stage, relationship_phase, contacts, identities, registered_at
         FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, kind text, name text, journey_stage text, relationship_phase text, contacts jsonb, identities jsonb, registered_at timestamptz)`,
        [JSON.stringify(registrations)],
      );
    }
    for (const event of events) if (event.type !== 'CustomerRegistered') await change(event, manager);
  };
  return {
    name: `${owner}.customer-directory`,
    entities: [CustomerDirectoryEntry],
    handles: ['CustomerRegistered', 'CustomerContactAdded', 'CustomerIdentityAdded', 'CustomerJourneyStageChanged', 'CustomerRelationshipPhaseChanged'],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}

export function partnerAccessProjection(owner: string): Projection {
  const applyBatch = async (events: readonly IntegrationEvent[], manager: EntityManager) => {
    // A grant's state is its latest event: keep the last one per (partner, customer), then one upsert.
    const latest = new Map<string, { partner_id: string; customer_id: string; granted: boolean; changed_at: string }>();
    for (const event of events) {
      const d = event.data as { partnerId: string; customerId: string; sharedAt?: string; revokedAt?: string };
      latest.set(`${d.partnerId}\u0000${d.customerId}`, { partner_id: d.partnerId, customer_id: d.customerId, granted: event.type === 'CustomerSharedWithPartner', changed_at: d.sharedAt ?? d.revokedAt ?? event.time });
    }
    const table = manager.getRepository(PartnerAccess).metadata.tablePath;
    await manager.query(
      `INSERT INTO ${table} (partner_id, customer_id, granted, changed_at)
       SELECT partner_id, customer_id, granted, changed_at FROM jsonb_to_recordset($1::jsonb) AS r(partner_id text, customer_id text, granted boolean, changed_at timestamptz)
       ON CONFLICT (partner_id, customer_id) DO UPDATE SET granted = EXCLUDED.granted, changed_at = EXCLUDED.changed_at`,
      [JSON.stringify([...latest.values()])],
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
