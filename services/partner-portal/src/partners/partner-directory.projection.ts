import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { cursorParts, decodeCursor, encodeCursor, PartnerAccess } from '@crm/relationship-read-models';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';
import { DealRegistrationRow } from '../deal-registration/deal-registrations.projection';
import { LeadOfferRow, LeadRoutingProfileRow } from '../leads/lead-offers.projection';

/**
 * The staff directory of partner companies (`GET /partners`, issue 16): one row per registered
 * partner, from its registration and its deactivation. What a channel manager weighs a partner by —
 * customers shared with it now, deal registrations waiting for review, leads offered to it, its
 * routing tier — is read at query time from the read models that already keep it in this schema
 * (`partner_access`, `deal_registrations`, `lead_offers`, `lead_routing_profiles`), so there is one
 * place for each fact. Nothing personal: a partner is a company; its people are on `/users`.
 */
@Entity({ name: 'partner_directory' })
@Index('partner_directory_by_name', ['nameKey', 'partnerId'])
export class PartnerDirectoryRow {
  @PrimaryColumn({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'text' }) name!: string;
  /** The name lower-cased: the list's order and its search (one index for both). */
  @Column({ type: 'text', name: 'name_key' }) nameKey!: string;
  @Column({ type: 'text', name: 'partner_kind' }) partnerKind!: string;
  @Column({ type: 'timestamptz', name: 'registered_at' }) registeredAt!: Date;
  @Column({ type: 'timestamptz', name: 'deactivated_at', nullable: true }) deactivatedAt!: Date | null;
}

export type PartnerDirectoryEvent = CrmIntegrationEvent<'PartnerRegistered' | 'PartnerDeactivated'>;

/** Idempotent: a registration is inserted once (a redelivery is ignored), a deactivation sets its instant. */
export function partnerDirectoryProjection(): Projection<PartnerDirectoryEvent> {
  return {
    name: 'partner-portal-partner-directory',
    entities: [PartnerDirectoryRow],
    handles: ['PartnerRegistered', 'PartnerDeactivated'],
    async apply(event, manager: EntityManager) {
      if (event.type === 'PartnerRegistered') {
        const { partnerId, name, partnerKind } = event.data;
        await manager
          .createQueryBuilder()
          .insert()
          .into(PartnerDirectoryRow)
          // When it was registered: the event's own instant (the registration carries no other).
          .values({ partnerId, name, nameKey: name.toLowerCase(), partnerKind, registeredAt: new Date(event.time), deactivatedAt: null })
          .orIgnore()
          .execute();
        return;
      }
      await manager.getRepository(PartnerDirectoryRow).update({ partnerId: event.data.partnerId }, { deactivatedAt: new Date(event.data.deactivatedAt) });
    },
  };
}

export const PARTNER_STATUSES = ['active', 'deactivated', 'all'] as const;

export interface PartnerDirectorySearch {
  /** Part of the name (any case), or a whole partner id. */
  q?: string;
  kind?: string;
  /** Default `active`. */
  status?: (typeof PARTNER_STATUSES)[number];
  limit: number;
  cursor?: string;
  /** Shares that expired before it no longer count. */
  now: Date;
}

export interface PartnerDirectoryItem {
  partnerId: string;
  name: string;
  partnerKind: string;
  status: 'active' | 'deactivated';
  registeredAt: string;
  deactivatedAt: string | null;
  /** Customers shared with it now (granted, not expired). */
  sharedCustomers: number;
  pendingDealRegistrations: number;
  /** Leads offered to it and not answered yet. */
  openLeadOffers: number;
  routing: { tier: string; active: boolean } | null;
}

// Keys as this list writes them: a lower-cased name (lower-casing may lengthen it) and an id; never a NUL, which PostgreSQL text refuses.
const noNul = (s: string) => !s.includes('\u0000');
const CURSOR = [
  cursorParts.list('partners'),
  cursorParts.text({ min: 1, max: 1000, valid: noNul }),
  cursorParts.text({ min: 1, max: 200, valid: noNul }),
] as const;

/** Partners by name (any case; ties by id), keyset paged, each with what the other read models know of it. */
export async function listPartners(manager: EntityManager, search: PartnerDirectorySearch): Promise<{ items: PartnerDirectoryItem[]; nextCursor?: string }> {
  const table = (entity: Function) => manager.getRepository(entity).metadata.tablePath;
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const params: unknown[] = [search.now.toISOString()];
  const where: string[] = [];
  const status = search.status ?? 'active';
  if (status !== 'all') where.push(status === 'active' ? 'd.deactivated_at IS NULL' : 'd.deactivated_at IS NOT NULL');
  if (search.kind !== undefined) {
    params.push(search.kind);
    where.push(`d.partner_kind = $${params.length}`);
  }
  if (search.q !== undefined && search.q !== '') {
    params.push(search.q.toLowerCase(), search.q);
    where.push(`(strpos(d.name_key, $${params.length - 1}) > 0 OR d.partner_id = $${params.length})`);
  }
  if (after) {
    params.push(after[1], after[2]);
    where.push(`(d.name_key, d.partner_id) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(search.limit + 1);
  const rows = (await manager.query(
    `SELECT d.partner_id, d.name, d.name_key, d.partner_kind, d.registered_at, d.deactivated_at,
            (SELECT count(*) FROM ${table(PartnerAccess)} a
              WHERE a.partner_id = d.partner_id AND a.granted AND (a.expires_at IS NULL OR a.expires_at > $1::timestamptz))::int AS shared_customers,
            (SELECT count(*) FROM ${table(DealRegistrationRow)} r WHERE r.partner_id = d.partner_id AND r.status = 'pending')::int AS pending_deals,
            (SELECT count(*) FROM ${table(LeadOfferRow)} o WHERE o.partner_id = d.partner_id AND o.status = 'offered')::int AS open_offers,
            p.profile->>'tier' AS tier, (p.profile->>'active')::boolean AS routing_active
       FROM ${table(PartnerDirectoryRow)} d
       LEFT JOIN ${table(LeadRoutingProfileRow)} p ON p.partner_id = d.partner_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY d.name_key, d.partner_id
      LIMIT $${params.length}`,
    params,
  )) as Record<string, unknown>[];
  const items = rows.slice(0, search.limit).map(itemOf);
  const last = rows[search.limit - 1];
  return rows.length > search.limit && last ? { items, nextCursor: encodeCursor(['partners', last.name_key as string, last.partner_id as string]) } : { items };
}

const iso = (d: unknown) => (d === null || d === undefined ? null : new Date(d as string).toISOString());

function itemOf(r: Record<string, unknown>): PartnerDirectoryItem {
  return {
    partnerId: r.partner_id as string,
    name: r.name as string,
    partnerKind: r.partner_kind as string,
    status: r.deactivated_at === null ? 'active' : 'deactivated',
    registeredAt: iso(r.registered_at)!,
    deactivatedAt: iso(r.deactivated_at),
    sharedCustomers: r.shared_customers as number,
    pendingDealRegistrations: r.pending_deals as number,
    openLeadOffers: r.open_offers as number,
    routing: r.tier === null || r.tier === undefined ? null : { tier: r.tier as string, active: r.routing_active === true },
  };
}
