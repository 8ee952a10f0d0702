import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { cursorParts, decodeCursor, encodeCursor, TimelineEntry } from '@crm/relationship-read-models';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/**
 * The deal registrations of the partner portal (issue 14 §3): one row per registration, for the
 * partner's list, the channel manager's review queue, the conflict check and the expiry tick. It
 * holds nothing personal: a prospect is only its lead id here (its company and contact are read from
 * the registration's own stream, sealed with the lead's key), so erasure leaves nothing to forget.
 * `flags` (conflicts, possible existing customers) are for staff: the partner's view drops them.
 */
@Entity({ name: 'deal_registrations' })
@Index('deal_registrations_partner_registered', ['partnerId', 'registeredAt', 'registrationId'])
@Index('deal_registrations_customer', ['customerId'])
export class DealRegistrationRow {
  @PrimaryColumn({ type: 'text', name: 'registration_id' }) registrationId!: string;
  @Column({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'text', name: 'customer_id', nullable: true }) customerId!: string | null;
  @Column({ type: 'text', name: 'lead_id', nullable: true }) leadId!: string | null;
  @Column({ type: 'jsonb' }) products!: string[];
  /** Integer minor units of `currency`. */
  @Column({ type: 'bigint', name: 'estimated_value' }) estimatedValue!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'text', name: 'expected_close_date' }) expectedCloseDate!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'jsonb' }) flags!: { conflicts: unknown[]; possibleExistingCustomerIds: string[] };
  @Column({ type: 'timestamptz', name: 'registered_at' }) registeredAt!: Date;
  @Column({ type: 'timestamptz', name: 'approval_due_at' }) approvalDueAt!: Date;
  @Column({ type: 'timestamptz', name: 'protection_ends_at', nullable: true }) protectionEndsAt!: Date | null;
  @Column({ type: 'text', name: 'episode_id', nullable: true }) episodeId!: string | null;
  /** True once the approval's partner-deal episode is in the store (its EpisodeOpened came by). */
  @Column({ type: 'boolean', name: 'episode_opened', default: false }) episodeOpened!: boolean;
  /** True once the prospect's lead is in the store (its LeadCaptured came by); captured after approval. */
  @Column({ type: 'boolean', name: 'lead_captured', default: false }) leadCaptured!: boolean;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

export type DealRegistrationReadEvent = CrmIntegrationEvent<
  'DealRegistered' | 'DealRegistrationApproved' | 'DealRegistrationRejected' | 'DealRegistrationExpired' | 'EpisodeOpened' | 'LeadCaptured'
>;

/** Keeps `deal_registrations`; every change is idempotent (an insert that ignores a row already there, updates that set values). */
export function dealRegistrationsProjection(): Projection<DealRegistrationReadEvent> {
  return {
    name: 'partner-portal-deal-registrations',
    entities: [DealRegistrationRow],
    handles: ['DealRegistered', 'DealRegistrationApproved', 'DealRegistrationRejected', 'DealRegistrationExpired', 'EpisodeOpened', 'LeadCaptured'],
    async apply(event, manager: EntityManager) {
      const table = manager.getRepository(DealRegistrationRow).metadata.tablePath;
      switch (event.type) {
        case 'DealRegistered': {
          const d = event.data;
          await manager
            .createQueryBuilder()
            .insert()
            .into(DealRegistrationRow)
            .values({
              registrationId: d.registrationId,
              partnerId: d.partnerId,
              customerId: d.customerId ?? null,
              leadId: d.leadId ?? null,
              products: d.products,
              estimatedValue: String(d.estimatedValue),
              currency: d.currency,
              expectedCloseDate: d.expectedCloseDate,
              status: 'pending',
              flags: { conflicts: d.conflicts, possibleExistingCustomerIds: d.possibleExistingCustomerIds },
              registeredAt: new Date(d.registeredAt),
              approvalDueAt: new Date(d.approvalDueAt),
              updatedAt: new Date(d.registeredAt),
            })
            .orIgnore()
            .execute();
          return;
        }
        case 'DealRegistrationApproved':
          await manager.query(`UPDATE ${table} SET status = 'approved', protection_ends_at = $2, episode_id = $3, updated_at = $4 WHERE registration_id = $1`, [
            event.data.registrationId,
            event.data.protectionEndsAt,
            event.data.episodeId ?? null,
            event.data.approvedAt,
          ]);
          return;
        case 'DealRegistrationRejected':
          await manager.query(`UPDATE ${table} SET status = 'rejected', updated_at = $2 WHERE registration_id = $1`, [
            event.data.registrationId,
            event.data.rejectedAt,
          ]);
          return;
        case 'DealRegistrationExpired':
          await manager.query(`UPDATE ${table} SET status = 'expired', updated_at = $2 WHERE registration_id = $1`, [
            event.data.registrationId,
            event.data.expiredAt,
          ]);
          return;
        case 'EpisodeOpened':
          // Only the episode an approval named matches a row; every other opening changes nothing.
          await manager.query(`UPDATE ${table} SET episode_opened = true WHERE episode_id = $1`, [event.data.episodeId]);
          return;
        case 'LeadCaptured':
          // Only a prospect's lead matches a row (any other lead changes nothing).
          await manager.query(`UPDATE ${table} SET lead_captured = true WHERE lead_id = $1`, [event.data.leadId]);
          return;
      }
    },
  };
}

/** A registration in a list (the partner's: without `flags`). */
export interface DealRegistrationListItem {
  registrationId: string;
  partnerId: string;
  customerId: string | null;
  leadId: string | null;
  products: string[];
  estimatedValue: number;
  currency: string;
  expectedCloseDate: string;
  status: string;
  registeredAt: string;
  approvalDueAt: string;
  protectionEndsAt: string | null;
  episodeId: string | null;
  flags?: { conflicts: unknown[]; possibleExistingCustomerIds: string[] };
}

export interface DealRegistrationSearch {
  partnerId?: string;
  status?: string;
  /** Only these customers, or registrations on a prospect (the partner's current shares). */
  customerIds?: readonly string[];
  limit: number;
  cursor?: string;
}

/** `['dealregs', registeredAt, registrationId]`. */
const CURSOR = [
  cursorParts.list('dealregs'),
  cursorParts.text({ max: Number.POSITIVE_INFINITY, valid: (s) => !Number.isNaN(Date.parse(s)) }),
  cursorParts.text({ min: 1, max: 200 }),
] as const;

/** Registrations newest first (ties by id), keyset paged. */
export async function listDealRegistrations(
  manager: EntityManager,
  search: DealRegistrationSearch,
): Promise<{ items: DealRegistrationListItem[]; nextCursor?: string }> {
  const table = manager.getRepository(DealRegistrationRow).metadata.tablePath;
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const where: string[] = [];
  const params: unknown[] = [];
  if (search.partnerId !== undefined) {
    params.push(search.partnerId);
    where.push(`partner_id = $${params.length}`);
  }
  if (search.status !== undefined) {
    params.push(search.status);
    where.push(`status = $${params.length}`);
  }
  if (search.customerIds !== undefined) {
    params.push([...search.customerIds]);
    where.push(`(customer_id IS NULL OR customer_id = ANY($${params.length}::text[]))`);
  }
  if (after) {
    const [, registeredAt, id] = after;
    params.push(new Date(registeredAt).toISOString(), id);
    where.push(`(registered_at, registration_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(search.limit + 1);
  const rows = (await manager.query(
    `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY registered_at DESC, registration_id DESC LIMIT $${params.length}`,
    params,
  )) as Record<string, unknown>[];
  const items = rows.slice(0, search.limit).map(itemOf);
  const last = items[items.length - 1];
  return rows.length > search.limit && last ? { items, nextCursor: encodeCursor(['dealregs', last.registeredAt, last.registrationId]) } : { items };
}

const iso = (d: unknown) => (d === null || d === undefined ? null : new Date(d as string).toISOString());

function itemOf(r: Record<string, unknown>): DealRegistrationListItem {
  return {
    registrationId: r.registration_id as string,
    partnerId: r.partner_id as string,
    customerId: (r.customer_id as string | null) ?? null,
    leadId: (r.lead_id as string | null) ?? null,
    products: r.products as string[],
    estimatedValue: Number(r.estimated_value),
    currency: r.currency as string,
    expectedCloseDate: r.expected_close_date as string,
    status: r.status as string,
    registeredAt: iso(r.registered_at)!,
    approvalDueAt: iso(r.approval_due_at)!,
    protectionEndsAt: iso(r.protection_ends_at),
    episodeId: (r.episode_id as string | null) ?? null,
    flags: r.flags as DealRegistrationListItem['flags'],
  };
}

/** Other partners' registrations still holding a claim (pending or approved) on the customer. */
export async function activeRegistrationsOn(manager: EntityManager, customerId: string, exceptPartnerId: string): Promise<{ id: string; partnerId: string }[]> {
  const table = manager.getRepository(DealRegistrationRow).metadata.tablePath;
  const rows = (await manager.query(
    `SELECT registration_id, partner_id FROM ${table} WHERE customer_id = $1 AND partner_id <> $2 AND status IN ('pending', 'approved') ORDER BY registered_at`,
    [customerId, exceptPartnerId],
  )) as { registration_id: string; partner_id: string }[];
  return rows.map((r) => ({ id: r.registration_id, partnerId: r.partner_id }));
}

/** The customer's opportunities not closed (any department's), from the shared timeline. */
export async function openOpportunitiesOf(manager: EntityManager, customerId: string): Promise<string[]> {
  const table = manager.getRepository(TimelineEntry).metadata.tablePath;
  const rows = (await manager.query(
    `SELECT o.episode_id FROM ${table} o
      WHERE o.customer_id = $1 AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = 'opportunity'
        AND NOT EXISTS (SELECT 1 FROM ${table} c WHERE c.episode_id = o.episode_id AND c.kind = 'EpisodeClosed')
      ORDER BY o.position_commit, o.position_prepare`,
    [customerId],
  )) as { episode_id: string }[];
  return rows.map((r) => r.episode_id);
}

/** One opportunity as the shared timeline has it (any department's): its customer and whether it is still open; undefined if unknown. */
export async function opportunityOf(manager: EntityManager, opportunityId: string): Promise<{ customerId: string; open: boolean } | undefined> {
  const table = manager.getRepository(TimelineEntry).metadata.tablePath;
  const rows = (await manager.query(
    `SELECT o.customer_id, EXISTS (SELECT 1 FROM ${table} c WHERE c.episode_id = o.episode_id AND c.kind = 'EpisodeClosed') AS closed
       FROM ${table} o WHERE o.episode_id = $1 AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = 'opportunity'`,
    [opportunityId],
  )) as { customer_id: string; closed: boolean }[];
  return rows[0] && { customerId: rows[0].customer_id, open: !rows[0].closed };
}

/** Registrations the expiry tick must look at now: pending past their approval deadline, approved past their protection. */
export async function dueDealRegistrations(manager: EntityManager, now: Date, limit = 100): Promise<string[]> {
  const table = manager.getRepository(DealRegistrationRow).metadata.tablePath;
  const rows = (await manager.query(
    `SELECT registration_id FROM ${table}
      WHERE (status = 'pending' AND approval_due_at <= $1) OR (status = 'approved' AND protection_ends_at <= $1)
      ORDER BY registration_id LIMIT $2`,
    [now.toISOString(), limit],
  )) as { registration_id: string }[];
  return rows.map((r) => r.registration_id);
}

/**
 * Approved registrations whose follow-up is not in the store yet: on a customer, the partner-deal
 * episode; on a prospect, its lead (`protection_ends_at` is set by the approval only).
 */
export async function approvalsToFollowUp(manager: EntityManager, limit = 100): Promise<string[]> {
  const table = manager.getRepository(DealRegistrationRow).metadata.tablePath;
  const rows = (await manager.query(
    `SELECT registration_id FROM ${table}
      WHERE (episode_id IS NOT NULL AND NOT episode_opened) OR (lead_id IS NOT NULL AND protection_ends_at IS NOT NULL AND NOT lead_captured)
      ORDER BY registration_id LIMIT $1`,
    [limit],
  )) as { registration_id: string }[];
  return rows.map((r) => r.registration_id);
}
