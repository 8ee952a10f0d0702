import type { CrmIntegrationEvent } from '@crm/contracts';
import type { PartnerKind } from '@crm/kernel';
import type { PartnerRoutingProfile, RoutingCandidate } from '@crm/relationship';
import type { Projection } from '@crm/projections';
import { cursorParts, decodeCursor, encodeCursor } from '@crm/relationship-read-models';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/**
 * Lead distribution's read models (issue 14 §4): one row per offer (`lead_offers`: the partners'
 * inboxes, the staff list, the expiry tick, and each partner's acceptance and win rates and open
 * leads for routing) and one per partner's routing profile (`lead_routing_profiles`). Nothing
 * personal: a lead is only its id here; its company and contact are read from the lead's stream
 * (sealed with the lead's key), so erasing the lead leaves nothing here to forget.
 */
@Entity({ name: 'lead_offers' })
@Index('lead_offers_partner', ['partnerId', 'offeredAt', 'offerId'])
@Index('lead_offers_due', ['status', 'expiresAt'])
export class LeadOfferRow {
  @PrimaryColumn({ type: 'text', name: 'offer_id' }) offerId!: string;
  @Column({ type: 'text', name: 'lead_id' }) leadId!: string;
  @Column({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'int' }) attempt!: number;
  /** offered | accepted | declined | expired */
  @Column({ type: 'text' }) status!: string;
  /** won | lost, once the partner that accepted reported it. */
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ type: 'double precision' }) score!: number;
  @Column({ type: 'jsonb' }) reasons!: string[];
  @Column({ type: 'timestamptz', name: 'offered_at' }) offeredAt!: Date;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'lead_routing_profiles' })
export class LeadRoutingProfileRow {
  @PrimaryColumn({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'text', name: 'partner_kind' }) partnerKind!: string;
  @Column({ type: 'jsonb' }) profile!: PartnerRoutingProfile;
  @Column({ type: 'timestamptz', name: 'set_at' }) setAt!: Date;
}

export type LeadOfferReadEvent = CrmIntegrationEvent<
  'PartnerRoutingProfileSet' | 'LeadOfferedToPartner' | 'LeadOfferAccepted' | 'LeadOfferDeclined' | 'LeadOfferExpired' | 'LeadOfferOutcomeReported'
>;

/** Keeps both tables; every change is idempotent (inserts that ignore or replace a row already there, updates that set values). */
export function leadOffersProjection(): Projection<LeadOfferReadEvent> {
  return {
    name: 'partner-portal-lead-offers',
    entities: [LeadOfferRow, LeadRoutingProfileRow],
    handles: ['PartnerRoutingProfileSet', 'LeadOfferedToPartner', 'LeadOfferAccepted', 'LeadOfferDeclined', 'LeadOfferExpired', 'LeadOfferOutcomeReported'],
    async apply(event, manager: EntityManager) {
      const table = manager.getRepository(LeadOfferRow).metadata.tablePath;
      const setStatus = (offerId: string, status: string, at: string) =>
        manager.query(`UPDATE ${table} SET status = $2, updated_at = $3 WHERE offer_id = $1`, [offerId, status, at]);
      switch (event.type) {
        case 'PartnerRoutingProfileSet': {
          const { partnerId, partnerKind, setAt, territories, products, tier, capacity, active } = event.data;
          await manager
            .getRepository(LeadRoutingProfileRow)
            .upsert({ partnerId, partnerKind, setAt: new Date(setAt), profile: { territories, products, tier, capacity, active } as PartnerRoutingProfile }, [
              'partnerId',
            ]);
          return;
        }
        case 'LeadOfferedToPartner': {
          const d = event.data;
          await manager
            .createQueryBuilder()
            .insert()
            .into(LeadOfferRow)
            .values({
              offerId: d.offerId,
              leadId: d.leadId,
              partnerId: d.partnerId,
              attempt: d.attempt,
              status: 'offered',
              outcome: null,
              score: d.score,
              reasons: d.reasons,
              offeredAt: new Date(d.offeredAt),
              expiresAt: new Date(d.expiresAt),
              updatedAt: new Date(d.offeredAt),
            })
            .orIgnore()
            .execute();
          return;
        }
        case 'LeadOfferAccepted':
          await setStatus(event.data.offerId, 'accepted', event.data.acceptedAt);
          return;
        case 'LeadOfferDeclined':
          await setStatus(event.data.offerId, 'declined', event.data.declinedAt);
          return;
        case 'LeadOfferExpired':
          await setStatus(event.data.offerId, 'expired', event.data.expiredAt);
          return;
        case 'LeadOfferOutcomeReported':
          await manager.query(`UPDATE ${table} SET outcome = $2, updated_at = $3 WHERE offer_id = $1`, [
            event.data.offerId,
            event.data.outcome,
            event.data.reportedAt,
          ]);
          return;
      }
    },
  };
}

/** Every partner with a routing profile, with its open leads and past offers (routing's input). */
export async function routingCandidates(manager: EntityManager): Promise<RoutingCandidate[]> {
  const profiles = manager.getRepository(LeadRoutingProfileRow).metadata.tablePath;
  const offers = manager.getRepository(LeadOfferRow).metadata.tablePath;
  const rows = (await manager.query(
    `SELECT p.partner_id, p.partner_kind, p.profile,
            count(o.offer_id) FILTER (WHERE o.status IN ('accepted', 'declined', 'expired'))::int AS decided,
            count(o.offer_id) FILTER (WHERE o.status = 'accepted')::int AS accepted,
            count(o.offer_id) FILTER (WHERE o.outcome IS NOT NULL)::int AS reported,
            count(o.offer_id) FILTER (WHERE o.outcome = 'won')::int AS won,
            count(o.offer_id) FILTER (WHERE o.status = 'offered' OR (o.status = 'accepted' AND o.outcome IS NULL))::int AS open
       FROM ${profiles} p LEFT JOIN ${offers} o ON o.partner_id = p.partner_id
      GROUP BY p.partner_id, p.partner_kind, p.profile
      ORDER BY p.partner_id`,
  )) as {
    partner_id: string;
    partner_kind: string;
    profile: PartnerRoutingProfile;
    decided: number;
    accepted: number;
    reported: number;
    won: number;
    open: number;
  }[];
  return rows.map((r) => ({
    partnerId: r.partner_id,
    partnerKind: r.partner_kind as PartnerKind,
    profile: r.profile,
    openLeads: Number(r.open),
    history: { decided: Number(r.decided), accepted: Number(r.accepted), reported: Number(r.reported), won: Number(r.won) },
  }));
}

/** Leads whose open offer is past its deadline at `now` (the tick expires and re-routes them). */
export async function leadsWithOverdueOffers(manager: EntityManager, now: Date, limit = 100): Promise<string[]> {
  const table = manager.getRepository(LeadOfferRow).metadata.tablePath;
  const rows = (await manager.query(`SELECT DISTINCT lead_id FROM ${table} WHERE status = 'offered' AND expires_at <= $1 ORDER BY lead_id LIMIT $2`, [
    now.toISOString(),
    limit,
  ])) as { lead_id: string }[];
  return rows.map((r) => r.lead_id);
}

export interface LeadOfferListItem {
  offerId: string;
  leadId: string;
  partnerId: string;
  attempt: number;
  status: string;
  outcome: string | null;
  score: number;
  reasons: string[];
  offeredAt: string;
  expiresAt: string;
}

export interface LeadOfferSearch {
  partnerId?: string;
  status?: string;
  outcome?: string;
  limit: number;
  cursor?: string;
}

/** `['leadoffers', pending (1|0), offeredAt, offerId]`. */
const CURSOR = [
  cursorParts.list('leadoffers'),
  cursorParts.integer(),
  cursorParts.text({ max: 40, valid: (s) => !Number.isNaN(Date.parse(s)) }),
  cursorParts.text({ min: 1, max: 200 }),
] as const;

const PENDING = `(CASE WHEN status = 'offered' THEN 1 ELSE 0 END)`;

/** Offers pending first, then newest first (ties by id), keyset paged. */
export async function listLeadOffers(manager: EntityManager, search: LeadOfferSearch): Promise<{ items: LeadOfferListItem[]; nextCursor?: string }> {
  const table = manager.getRepository(LeadOfferRow).metadata.tablePath;
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (value: unknown, clause: (n: number) => string) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (search.partnerId !== undefined) add(search.partnerId, (n) => `partner_id = $${n}`);
  if (search.status !== undefined) add(search.status, (n) => `status = $${n}`);
  if (search.outcome !== undefined) add(search.outcome, (n) => `outcome = $${n}`);
  if (after) {
    const [, pending, offeredAt, id] = after;
    params.push(pending, new Date(offeredAt).toISOString(), id);
    const n = params.length;
    where.push(`(${PENDING}, offered_at, offer_id) < ($${n - 2}::int, $${n - 1}::timestamptz, $${n})`);
  }
  params.push(search.limit + 1);
  const rows = (await manager.query(
    `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${PENDING} DESC, offered_at DESC, offer_id DESC LIMIT $${params.length}`,
    params,
  )) as Record<string, unknown>[];
  const items = rows.slice(0, search.limit).map(itemOf);
  const last = items[items.length - 1];
  return rows.length > search.limit && last
    ? { items, nextCursor: encodeCursor(['leadoffers', last.status === 'offered' ? 1 : 0, last.offeredAt, last.offerId]) }
    : { items };
}

function itemOf(r: Record<string, unknown>): LeadOfferListItem {
  return {
    offerId: r.offer_id as string,
    leadId: r.lead_id as string,
    partnerId: r.partner_id as string,
    attempt: Number(r.attempt),
    status: r.status as string,
    outcome: (r.outcome as string | null) ?? null,
    score: Number(r.score),
    reasons: r.reasons as string[],
    offeredAt: new Date(r.offered_at as string).toISOString(),
    expiresAt: new Date(r.expires_at as string).toISOString(),
  };
}
