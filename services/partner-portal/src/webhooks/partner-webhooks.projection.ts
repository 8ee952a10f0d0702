import { randomUUID } from 'node:crypto';
import { ERASED, mapPersonalFields, type CrmIntegrationEvent } from '@crm/contracts';
import { parsePosition } from '@crm/event-store';
import type { Projection } from '@crm/projections';
import { shareInForce, WEBHOOK_EVENT_TYPES, type Partner, type PartnerShare, type WebhookEventType } from '@crm/relationship';
import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';

/** A subscription as the feed needs it (the API reads the subscription's own stream). */
@Entity({ name: 'partner_webhook_subscriptions' })
export class PartnerWebhookSubscriptionRow {
  @PrimaryColumn({ type: 'text', name: 'subscription_id' }) subscriptionId!: string;
  @Column({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'jsonb', name: 'event_types' }) eventTypes!: string[];
  @Column({ type: 'boolean' }) active!: boolean;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

/**
 * Every change of a partner's share of a customer, at its store position: the share in force at any
 * position is the latest change at or before it. Kept here, in the feed's own transaction, so the
 * feed judges each event against the shares exactly as they stood at that event — never against a
 * read model that is ahead of or behind it.
 */
@Entity({ name: 'partner_webhook_share_changes' })
export class PartnerWebhookShareChangeRow {
  @PrimaryColumn({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @PrimaryColumn({ type: 'bigint', name: 'position_commit' }) positionCommit!: string;
  @PrimaryColumn({ type: 'bigint', name: 'position_prepare' }) positionPrepare!: string;
  @Column({ type: 'boolean' }) granted!: boolean;
  @Column({ type: 'timestamptz', name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'jsonb', name: 'episode_types', nullable: true }) episodeTypes!: string[] | null;
}

/** Each episode's type and owning partner (null: a department's), from its opening. */
@Entity({ name: 'partner_webhook_episodes' })
export class PartnerWebhookEpisodeRow {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'episode_type' }) episodeType!: string;
  @Column({ type: 'text', name: 'owner_partner_id', nullable: true }) ownerPartnerId!: string | null;
}

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'dead', 'dropped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * The delivery log: one row per (subscription, event) the partner may see. `pending` until sent,
 * `failed` while its last attempt failed and a retry is due at `next_attempt_at`, `dead` after the
 * attempt limit, `dropped` when the share (or the subscription) no longer allowed it at send time,
 * `delivered` on a 2xx.
 *
 * Not one of the projection's `entities`, on purpose: a rebuild of the read models empties those and
 * replays every event, and the feed then meets every event again — the log survives the rebuild and
 * `(subscription_id, event_id)` keeps each event enqueued once, so a rebuild sends nothing twice.
 * Like the access log, the table is created on first use.
 */
export const DELIVERIES = 'partner_portal.partner_webhook_deliveries';
const DELIVERIES_DDL = [
  `CREATE SCHEMA IF NOT EXISTS partner_portal`,
  `CREATE TABLE IF NOT EXISTS ${DELIVERIES} (
    delivery_id text PRIMARY KEY, subscription_id text NOT NULL, partner_id text NOT NULL, event_id text NOT NULL, event_type text NOT NULL,
    customer_id text NOT NULL, episode_id text NOT NULL, episode_type text NOT NULL, owner_partner_id text,
    position_commit bigint NOT NULL, position_prepare bigint NOT NULL, source text NOT NULL, event_time timestamptz NOT NULL, data jsonb NOT NULL,
    state text NOT NULL, attempts integer NOT NULL, last_status integer, last_error text, next_attempt_at timestamptz, updated_at timestamptz,
    UNIQUE (subscription_id, event_id))`,
  `CREATE INDEX IF NOT EXISTS partner_webhook_deliveries_queue ON ${DELIVERIES} (state, subscription_id, customer_id, position_commit, position_prepare)`,
  `CREATE INDEX IF NOT EXISTS partner_webhook_deliveries_log ON ${DELIVERIES} (subscription_id, position_commit, position_prepare, delivery_id)`,
  `CREATE INDEX IF NOT EXISTS partner_webhook_deliveries_customer ON ${DELIVERIES} (customer_id)`,
];
let deliveriesReady = false;

/** The delivery log's table, created once per process (again after a failure, e.g. a rolled-back first transaction). */
export async function ensureDeliveries(manager: EntityManager): Promise<void> {
  if (deliveriesReady) return;
  for (const sql of DELIVERIES_DDL) await manager.query(sql);
  deliveriesReady = true;
}

/** After an error that may mean the table is gone (a rolled-back creation): create it again next time. */
export function deliveriesMayBeMissing(): void {
  deliveriesReady = false;
}

/**
 * Whether a partner may see an event on an episode, given the share in force at the event (the
 * `PartnerScope` / timeline rules): a share in force at that instant (`shareInForce`: not revoked, not
 * expired), never another partner's episode, its own episodes always, else only the share's episode types.
 */
export function partnerSeesEpisodeEvent(
  partnerId: string,
  share: PartnerShare | undefined,
  episode: { episodeType: string; ownerPartnerId: string | null },
  at: Date,
): boolean {
  if (!share) return false;
  const asPartner = { sharedCustomerIds: [share.customerId], shares: { [share.customerId]: share } } as unknown as Partner;
  if (!shareInForce(asPartner, share.customerId, at)) return false;
  if (episode.ownerPartnerId !== null) return episode.ownerPartnerId === partnerId;
  return !share.episodeTypes || (share.episodeTypes as string[]).includes(episode.episodeType);
}

type SubscriptionEvent = CrmIntegrationEvent<'PartnerWebhookSubscribed' | 'PartnerWebhookChanged' | 'PartnerWebhookUnsubscribed'>;
type ShareEvent = CrmIntegrationEvent<'CustomerSharedWithPartner' | 'CustomerShareRevoked'>;
type EpisodeEvent = CrmIntegrationEvent<WebhookEventType>;
export type PartnerWebhookFeedEvent = SubscriptionEvent | ShareEvent | EpisodeEvent | CrmIntegrationEvent<'CustomerPersonalDataErased'>;

const table = (manager: EntityManager, entity: new () => unknown) => manager.getRepository(entity).metadata.tablePath;

/** The share of a customer in force for a partner at a position (the latest change at or before it). */
export async function shareAt(
  manager: EntityManager,
  partnerId: string,
  customerId: string,
  commit: string,
  prepare: string,
): Promise<PartnerShare | undefined> {
  const rows = (await manager.query(
    `SELECT granted, expires_at, episode_types FROM ${table(manager, PartnerWebhookShareChangeRow)}
      WHERE partner_id = $1 AND customer_id = $2 AND (position_commit, position_prepare) <= ($3::bigint, $4::bigint)
      ORDER BY position_commit DESC, position_prepare DESC LIMIT 1`,
    [partnerId, customerId, commit, prepare],
  )) as { granted: boolean; expires_at: string | null; episode_types: string[] | null }[];
  const r = rows[0];
  if (!r?.granted) return undefined;
  return {
    customerId,
    sharedAt: '',
    sharedBy: '',
    ...(r.expires_at && { expiresAt: new Date(r.expires_at).toISOString() }),
    ...(r.episode_types && { episodeTypes: r.episode_types as PartnerShare['episodeTypes'] }),
  };
}

/** One event's deliveries: one per active subscription of its type whose partner may see it at its position. */
export async function enqueueFor(
  manager: EntityManager,
  event: { id: string; type: string; source: string; time: string; position: string; data: unknown; customerId: string; episodeId: string },
  onlySubscriptionId?: string,
): Promise<number> {
  const subs = (await manager.query(
    `SELECT subscription_id, partner_id FROM ${table(manager, PartnerWebhookSubscriptionRow)}
      WHERE active AND event_types ? $1 ${onlySubscriptionId ? 'AND subscription_id = $2' : ''}`,
    onlySubscriptionId ? [event.type, onlySubscriptionId] : [event.type],
  )) as { subscription_id: string; partner_id: string }[];
  // No subscription of this type: nothing more to read (the common case, and every event of a rebuild before the first subscription).
  if (subs.length === 0) return 0;
  const episode = (
    (await manager.query(`SELECT episode_type, owner_partner_id FROM ${table(manager, PartnerWebhookEpisodeRow)} WHERE episode_id = $1`, [
      event.episodeId,
    ])) as {
      episode_type: string;
      owner_partner_id: string | null;
    }[]
  )[0];
  // An episode never seen opened has no owner to judge by: nothing is sent rather than sent to the wrong partner.
  if (!episode) return 0;
  const p = parsePosition(event.position);
  let enqueued = 0;
  await ensureDeliveries(manager);
  for (const sub of subs) {
    const share = await shareAt(manager, sub.partner_id, event.customerId, String(p.commit), String(p.prepare));
    const visible = partnerSeesEpisodeEvent(
      sub.partner_id,
      share,
      { episodeType: episode.episode_type, ownerPartnerId: episode.owner_partner_id },
      new Date(event.time),
    );
    if (!visible) continue;
    await manager.query(
      `INSERT INTO ${DELIVERIES} (delivery_id, subscription_id, partner_id, event_id, event_type, customer_id, episode_id,
         episode_type, owner_partner_id, position_commit, position_prepare, source, event_time, data, state, attempts, next_attempt_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'pending', 0, NULL, NULL)
       ON CONFLICT (subscription_id, event_id) DO ${onlySubscriptionId ? "UPDATE SET state = 'pending', attempts = 0, last_status = NULL, last_error = NULL, next_attempt_at = NULL" : 'NOTHING'}`,
      [
        randomUUID(),
        sub.subscription_id,
        sub.partner_id,
        event.id,
        event.type,
        event.customerId,
        event.episodeId,
        episode.episode_type,
        episode.owner_partner_id,
        String(p.commit),
        String(p.prepare),
        event.source,
        event.time,
        JSON.stringify(event.data),
      ],
    );
    enqueued++;
  }
  return enqueued;
}

const FEED_TYPES = [
  'PartnerWebhookSubscribed',
  'PartnerWebhookChanged',
  'PartnerWebhookUnsubscribed',
  'CustomerSharedWithPartner',
  'CustomerShareRevoked',
  'CustomerPersonalDataErased',
  ...WEBHOOK_EVENT_TYPES,
] as const;

/**
 * The partner-scoped feed of webhook deliveries (issue 14 §5). For each episode event on a customer
 * it enqueues one delivery per subscription whose partner may see that event at that position
 * (`partnerSeesEpisodeEvent` on the share as it stood there): an event a partner may not see is never
 * enqueued. Subscriptions, share changes and episode owners are kept in the same transaction as the
 * deliveries (and the runner's checkpoint and dedupe), in the store's order.
 */
export function partnerWebhooksProjection(): Projection<PartnerWebhookFeedEvent> {
  return {
    name: 'partner-portal-webhooks',
    entities: [PartnerWebhookSubscriptionRow, PartnerWebhookShareChangeRow, PartnerWebhookEpisodeRow],
    handles: [...FEED_TYPES],
    async apply(event, manager: EntityManager) {
      try {
        await applyFeed(event, manager);
      } catch (error) {
        deliveriesMayBeMissing(); // the transaction that created the log's table may be the one rolled back
        throw error;
      }
    },
  };
}

/** Erasure: the personal fields of the customer's deliveries (sent or not) read as erased, as in the timeline. */
async function eraseDeliveries(manager: EntityManager, customerId: string): Promise<void> {
  await ensureDeliveries(manager);
  const rows = (await manager.query(`SELECT delivery_id, event_type, data FROM ${DELIVERIES} WHERE customer_id = $1`, [customerId])) as {
    delivery_id: string;
    event_type: string;
    data: unknown;
  }[];
  for (const r of rows) {
    const data = mapPersonalFields(r.event_type, r.data, () => ERASED);
    if (data !== r.data) await manager.query(`UPDATE ${DELIVERIES} SET data = $2 WHERE delivery_id = $1`, [r.delivery_id, JSON.stringify(data)]);
  }
}

async function applyFeed(event: PartnerWebhookFeedEvent, manager: EntityManager): Promise<void> {
  switch (event.type) {
    case 'CustomerPersonalDataErased':
      await eraseDeliveries(manager, event.data.customerId);
      return;
    case 'PartnerWebhookSubscribed':
      await manager.query(
        `INSERT INTO ${table(manager, PartnerWebhookSubscriptionRow)} (subscription_id, partner_id, event_types, active, updated_at)
             VALUES ($1, $2, $3, true, $4) ON CONFLICT (subscription_id) DO NOTHING`,
        [event.data.subscriptionId, event.data.partnerId, JSON.stringify(event.data.eventTypes), event.data.subscribedAt],
      );
      return;
    case 'PartnerWebhookChanged':
      if (event.data.eventTypes)
        await manager.query(`UPDATE ${table(manager, PartnerWebhookSubscriptionRow)} SET event_types = $2, updated_at = $3 WHERE subscription_id = $1`, [
          event.data.subscriptionId,
          JSON.stringify(event.data.eventTypes),
          event.data.changedAt,
        ]);
      return;
    case 'PartnerWebhookUnsubscribed':
      await manager.query(`UPDATE ${table(manager, PartnerWebhookSubscriptionRow)} SET active = false, updated_at = $2 WHERE subscription_id = $1`, [
        event.data.subscriptionId,
        event.data.unsubscribedAt,
      ]);
      return;
    case 'CustomerSharedWithPartner':
    case 'CustomerShareRevoked': {
      if (!event.position) throw new Error(`event ${event.id} has no store position; the webhook feed needs the global order`);
      const p = parsePosition(event.position);
      const shared = event.type === 'CustomerSharedWithPartner' ? event.data : undefined;
      await manager.query(
        `INSERT INTO ${table(manager, PartnerWebhookShareChangeRow)} (partner_id, customer_id, position_commit, position_prepare, granted, expires_at, episode_types)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [
          event.data.partnerId,
          event.data.customerId,
          String(p.commit),
          String(p.prepare),
          shared !== undefined,
          shared?.expiresAt ?? null,
          shared?.episodeTypes ? JSON.stringify(shared.episodeTypes) : null,
        ],
      );
      return;
    }
    default: {
      if (!event.position) throw new Error(`event ${event.id} has no store position; the webhook feed needs the global order`);
      const data = event.data as { customerId: string; episodeId: string };
      if (event.type === 'EpisodeOpened') {
        const owner = event.data.owner;
        await manager.query(
          `INSERT INTO ${table(manager, PartnerWebhookEpisodeRow)} (episode_id, customer_id, episode_type, owner_partner_id) VALUES ($1, $2, $3, $4)
               ON CONFLICT (episode_id) DO NOTHING`,
          [event.data.episodeId, event.data.customerId, event.data.episodeType, owner.kind === 'partner' ? (owner.partnerId ?? null) : null],
        );
      }
      await enqueueFor(manager, {
        id: event.id,
        type: event.type,
        source: event.source,
        time: event.time,
        position: event.position,
        data: event.data,
        customerId: data.customerId,
        episodeId: data.episodeId,
      });
    }
  }
}
