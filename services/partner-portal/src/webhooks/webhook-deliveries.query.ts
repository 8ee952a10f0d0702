import { cursorParts, decodeCursor, encodeCursor, TimelineEntry } from '@crm/relationship-read-models';
import { parsePosition } from '@crm/event-store';
import type { EntityManager } from 'typeorm';
import { enqueueFor, DELIVERIES, ensureDeliveries, PartnerWebhookShareChangeRow, PartnerWebhookSubscriptionRow } from './partner-webhooks.projection';
import { rowsOf } from './webhook-dispatcher.process';
import type { WebhookDeliveryDto } from './webhooks.dto';

/** `['deliveries', commit, prepare, deliveryId]`. */
const CURSOR = [
  cursorParts.list('deliveries'),
  cursorParts.text({ min: 1, max: 18, pattern: /^\d+$/ }),
  cursorParts.text({ min: 1, max: 18, pattern: /^\d+$/ }),
  cursorParts.text({ min: 1, max: 100 }),
] as const;

/** A subscription's delivery log, newest event first, keyset paged. */
export async function listDeliveries(
  manager: EntityManager,
  q: { subscriptionId: string; status?: string; limit: number; cursor?: string },
): Promise<{ items: WebhookDeliveryDto[]; nextCursor?: string }> {
  await ensureDeliveries(manager);
  const table = DELIVERIES;
  const params: unknown[] = [q.subscriptionId];
  const where = ['subscription_id = $1'];
  if (q.status) {
    params.push(q.status);
    where.push(`state = $${params.length}`);
  }
  if (q.cursor !== undefined) {
    const [, commit, prepare, id] = decodeCursor(q.cursor, CURSOR);
    params.push(commit, prepare, id);
    where.push(`(position_commit, position_prepare, delivery_id) < ($${params.length - 2}::bigint, $${params.length - 1}::bigint, $${params.length})`);
  }
  params.push(q.limit + 1);
  const rows = (await manager.query(
    `SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY position_commit DESC, position_prepare DESC, delivery_id DESC LIMIT $${params.length}`,
    params,
  )) as Record<string, unknown>[];
  const items = rows.slice(0, q.limit).map(deliveryOf);
  const last = rows[Math.min(rows.length, q.limit) - 1];
  return rows.length > q.limit && last
    ? { items, nextCursor: encodeCursor(['deliveries', String(last.position_commit), String(last.position_prepare), String(last.delivery_id)]) }
    : { items };
}

export function deliveryOf(r: Record<string, unknown>): WebhookDeliveryDto {
  return {
    deliveryId: r.delivery_id as string,
    eventId: r.event_id as string,
    type: r.event_type as string,
    customerId: r.customer_id as string,
    position: `${String(r.position_commit)}/${String(r.position_prepare)}`,
    state: r.state as string,
    attempts: Number(r.attempts),
    lastStatusCode: r.last_status === null || r.last_status === undefined ? null : Number(r.last_status),
    lastError: (r.last_error as string | null) ?? null,
    nextAttemptAt: r.next_attempt_at ? new Date(r.next_attempt_at as string).toISOString() : null,
  };
}

/** A dead delivery back to pending, due now (undefined: no such delivery of the subscription; false: not dead). */
export async function retryDead(
  manager: EntityManager,
  subscriptionId: string,
  deliveryId: string,
  now: Date,
): Promise<WebhookDeliveryDto | undefined | false> {
  await ensureDeliveries(manager);
  const table = DELIVERIES;
  const rows = (await manager.query(`SELECT * FROM ${table} WHERE subscription_id = $1 AND delivery_id = $2`, [subscriptionId, deliveryId])) as Record<
    string,
    unknown
  >[];
  if (!rows[0]) return undefined;
  if (rows[0].state !== 'dead') return false;
  const updated = (await manager.query(
    `UPDATE ${table} SET state = 'pending', attempts = 0, last_error = NULL, next_attempt_at = NULL, updated_at = $3
      WHERE subscription_id = $1 AND delivery_id = $2 AND state = 'dead' RETURNING *`,
    [subscriptionId, deliveryId, now.toISOString()],
  )) as unknown;
  const row = rowsOf(updated)[0];
  return deliveryOf(row ?? { ...rows[0], state: 'pending', attempts: 0, last_error: null, next_attempt_at: null });
}

/**
 * Enqueues again what the subscription would have got from a position on: the portal's timeline
 * entries from there, each judged (`enqueueFor`) against the share as it stood at that entry — a
 * replay never sends what the partner could not see then. At most `limit` entries per call.
 */
export async function replayFrom(manager: EntityManager, subscriptionId: string, fromPosition: string, limit = 10_000): Promise<number> {
  const subs = (await manager.query(
    `SELECT partner_id, event_types FROM ${manager.getRepository(PartnerWebhookSubscriptionRow).metadata.tablePath} WHERE subscription_id = $1 AND active`,
    [subscriptionId],
  )) as { partner_id: string; event_types: string[] }[];
  const sub = subs[0];
  if (!sub) return 0;
  const from = parsePosition(fromPosition);
  const timeline = manager.getRepository(TimelineEntry).metadata.tablePath;
  const shares = manager.getRepository(PartnerWebhookShareChangeRow).metadata.tablePath;
  const entries = (await manager.query(
    `SELECT event_id, customer_id, episode_id, kind, position_commit, position_prepare, recorded_at, data FROM ${timeline} t
      WHERE (t.position_commit, t.position_prepare) >= ($1::bigint, $2::bigint) AND t.kind = ANY($3::text[])
        AND t.customer_id IN (SELECT customer_id FROM ${shares} WHERE partner_id = $4)
      ORDER BY t.position_commit, t.position_prepare LIMIT $5`,
    [String(from.commit), String(from.prepare), sub.event_types, sub.partner_id, limit],
  )) as {
    event_id: string;
    customer_id: string;
    episode_id: string;
    kind: string;
    position_commit: string;
    position_prepare: string;
    recorded_at: string;
    data: unknown;
  }[];
  let enqueued = 0;
  for (const e of entries) {
    enqueued += await enqueueFor(
      manager,
      {
        id: e.event_id,
        type: e.kind,
        source: '/crm/episode',
        time: new Date(e.recorded_at).toISOString(),
        position: `${e.position_commit}/${e.position_prepare}`,
        data: e.data,
        customerId: e.customer_id,
        episodeId: e.episode_id,
      },
      subscriptionId,
    );
  }
  return enqueued;
}
