import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { campaignEpisodeId } from '../campaigns/campaign-ids';
import { responseInteractionId } from '../tracking/tracking.controller';
import { CampaignStatsCampaignRow, CampaignStatsConversionRow, CampaignStatsMessageRow, CampaignStatsRecipientRow } from './campaign-statistics.entities';

export type CampaignStatisticsEvent = CrmIntegrationEvent<
  | 'CampaignDefined'
  | 'CampaignRevised'
  | 'CampaignStarted'
  | 'CampaignAudienceFrozen'
  | 'CampaignRecipientTriggered'
  | 'CampaignClosed'
  | 'CampaignMessageSent'
  | 'CampaignMessageSuppressed'
  | 'CampaignMessageBounced'
  | 'CampaignMessageDeferred'
  | 'InteractionRecorded'
  | 'OrderPlaced'
  | 'OrderCancelled'
  | 'OrderReturned'
>;

export const CAMPAIGN_STATISTICS = 'marketing.campaign-statistics';

/** How many rows of a statement (a CTE, so the answer is rows on every driver). */
async function changed(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [row] = (await m.query(`WITH changed AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM changed`, params)) as { n: number }[];
  return row.n;
}

/**
 * `marketing.campaign-statistics`: what a campaign's statistics (issue 13 §5) are computed from.
 * - The audience as frozen at the start, control group included: the control group's orders are
 *   the baseline the uplift is measured against.
 * - Each message's last state: a send is recorded before the channel takes it, so a deferral after
 *   it makes the message pending again, and a bounce settles it.
 * - Responses: an open or a click is the interaction the tracking routes record under an id derived
 *   from the message (a click implies the open: images are often blocked); any other inbound
 *   interaction on the recipient's campaign episode (a reply, a call-back) answers its latest
 *   message sent by then.
 * - Conversions: a recipient's orders dated within the attribution window from the start (the same
 *   window for the control group); a cancelled or fully returned order does not count, a partial
 *   return lowers its revenue.
 */
export function campaignStatisticsProjection(): Projection<CampaignStatisticsEvent> {
  return {
    name: CAMPAIGN_STATISTICS,
    entities: [CampaignStatsCampaignRow, CampaignStatsRecipientRow, CampaignStatsMessageRow, CampaignStatsConversionRow],
    handles: [
      'CampaignDefined',
      'CampaignRevised',
      'CampaignStarted',
      'CampaignAudienceFrozen',
      'CampaignRecipientTriggered',
      'CampaignClosed',
      'CampaignMessageSent',
      'CampaignMessageSuppressed',
      'CampaignMessageBounced',
      'CampaignMessageDeferred',
      'InteractionRecorded',
      'OrderPlaced',
      'OrderCancelled',
      'OrderReturned',
    ],
    async apply(event, m) {
      const campaigns = m.getRepository(CampaignStatsCampaignRow).metadata.tablePath;
      const recipients = m.getRepository(CampaignStatsRecipientRow).metadata.tablePath;
      const messages = m.getRepository(CampaignStatsMessageRow).metadata.tablePath;
      const conversions = m.getRepository(CampaignStatsConversionRow).metadata.tablePath;
      const message = async (
        d: { messageId: string; campaignId: string; customerId: string; stepId: string; variantId?: string },
        status: string,
        extra: { reason?: string; sentAt?: string } = {},
      ) =>
        m.query(
          `INSERT INTO ${messages} (message_id, campaign_id, customer_id, step_id, variant_id, status, reason, sent_at, open_interaction_id, click_interaction_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (message_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
             variant_id = COALESCE(EXCLUDED.variant_id, ${messages}.variant_id), sent_at = COALESCE(EXCLUDED.sent_at, ${messages}.sent_at)`,
          [
            d.messageId,
            d.campaignId,
            d.customerId,
            d.stepId,
            d.variantId ?? null,
            status,
            extra.reason ?? null,
            extra.sentAt ?? null,
            responseInteractionId(d.messageId, 'opened'),
            responseInteractionId(d.messageId, 'clicked'),
          ],
        );
      switch (event.type) {
        case 'CampaignDefined':
        case 'CampaignRevised': {
          const d = event.data;
          await m.query(
            `INSERT INTO ${campaigns} (campaign_id, name, attribution_window_days, cost_per_message, currency) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (campaign_id) DO UPDATE SET name = EXCLUDED.name, attribution_window_days = EXCLUDED.attribution_window_days,
               cost_per_message = EXCLUDED.cost_per_message, currency = EXCLUDED.currency`,
            [d.campaignId, d.name, d.attributionWindowDays, d.costPerMessage.amountMinor, d.costPerMessage.currency],
          );
          return;
        }
        case 'CampaignStarted':
          await m.query(`UPDATE ${campaigns} SET started_at = $2 WHERE campaign_id = $1`, [event.data.campaignId, event.data.startedAt]);
          return;
        case 'CampaignClosed':
          await m.query(`UPDATE ${campaigns} SET closed_at = $2 WHERE campaign_id = $1`, [event.data.campaignId, event.data.closedAt]);
          return;
        case 'CampaignAudienceFrozen': {
          const d = event.data;
          const rows = d.members.map((member) => [member.customerId, campaignEpisodeId(d.campaignId, member.customerId), member.control === true]);
          await m.query(
            `INSERT INTO ${recipients} (campaign_id, customer_id, episode_id, control)
             SELECT $1, r.customer_id, r.episode_id::uuid, r.control FROM jsonb_to_recordset($2::jsonb) AS r(customer_id text, episode_id text, control boolean)
             ON CONFLICT (campaign_id, customer_id) DO NOTHING`,
            [d.campaignId, JSON.stringify(rows.map(([customer_id, episode_id, control]) => ({ customer_id, episode_id, control })))],
          );
          return;
        }
        case 'CampaignRecipientTriggered': {
          // A triggered campaign's audience: each customer a firing admitted (once, however often it fired), control group included.
          const d = event.data;
          await m.query(
            `INSERT INTO ${recipients} (campaign_id, customer_id, episode_id, control) VALUES ($1, $2, $3, $4)
             ON CONFLICT (campaign_id, customer_id) DO NOTHING`,
            [d.campaignId, d.customerId, campaignEpisodeId(d.campaignId, d.customerId), d.control === true],
          );
          return;
        }
        case 'CampaignMessageSent':
          await message(event.data, 'sent', { sentAt: event.data.sentAt });
          return;
        case 'CampaignMessageSuppressed':
          await message(event.data, 'suppressed', { reason: event.data.reason });
          return;
        case 'CampaignMessageBounced':
          await message(event.data, 'bounced', { reason: event.data.kind });
          return;
        case 'CampaignMessageDeferred':
          await message(event.data, 'pending', { reason: 'deferred' });
          return;
        case 'InteractionRecorded': {
          const i = event.data.interaction;
          if (i.direction !== 'inbound') return;
          if ((await changed(m, `UPDATE ${messages} SET opened = true WHERE open_interaction_id = $1`, [i.interactionId])) > 0) return;
          if ((await changed(m, `UPDATE ${messages} SET clicked = true, opened = true WHERE click_interaction_id = $1`, [i.interactionId])) > 0) return;
          await m.query(
            `UPDATE ${messages} SET responded = true WHERE message_id = (
               SELECT msg.message_id FROM ${recipients} r JOIN ${messages} msg ON msg.campaign_id = r.campaign_id AND msg.customer_id = r.customer_id
               WHERE r.episode_id = $1 AND msg.status IN ('sent', 'bounced') AND msg.sent_at <= $2
               ORDER BY msg.sent_at DESC, msg.message_id LIMIT 1)`,
            [event.data.episodeId, i.occurredAt],
          );
          return;
        }
        case 'OrderPlaced': {
          const d = event.data;
          await m.query(
            `INSERT INTO ${conversions} (campaign_id, order_id, customer_id, order_date, revenue, currency)
             SELECT r.campaign_id, $2, $1, $3, $4, $5 FROM ${recipients} r JOIN ${campaigns} c ON c.campaign_id = r.campaign_id
             WHERE r.customer_id = $1 AND c.started_at IS NOT NULL AND $3::timestamptz >= c.started_at
               AND $3::timestamptz < c.started_at + c.attribution_window_days * interval '1 day'
             ON CONFLICT (campaign_id, order_id) DO NOTHING`,
            [d.customerId, d.orderId, d.orderDate, d.total, d.currency],
          );
          return;
        }
        case 'OrderCancelled':
          await m.query(`UPDATE ${conversions} SET cancelled = true WHERE order_id = $1`, [event.data.orderId]);
          return;
        case 'OrderReturned': {
          const d = event.data;
          await m.query(`UPDATE ${conversions} SET revenue = GREATEST(revenue - $2, 0), cancelled = cancelled OR $3 WHERE order_id = $1`, [
            d.orderId,
            d.amount,
            d.fullyReturned,
          ]);
          return;
        }
      }
    },
  };
}
