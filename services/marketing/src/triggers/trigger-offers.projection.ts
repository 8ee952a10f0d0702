import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { Column, Entity, In, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/**
 * What became of the offer a firing asked for: admitted by its campaign (with the control group or
 * not) or skipped and why. Keyed by the firing (the `MarketingTriggerFired` event id).
 */
@Entity({ name: 'trigger_offers' })
export class TriggerOfferRow {
  @PrimaryColumn({ type: 'text', name: 'firing_id' }) firingId!: string;
  @Column({ type: 'text', name: 'campaign_id' }) campaignId!: string;
  /** `admitted` (`CampaignRecipientTriggered`) or `skipped` (`CampaignTriggerSkipped`). */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'boolean' }) control!: boolean;
  @Column({ type: 'timestamptz' }) at!: Date;
}

/** Each message of a triggered recipient, in its last state: `sent`, `suppressed`, `bounced`, `deferred`. */
@Entity({ name: 'trigger_offer_messages' })
@Index(['firingId'])
export class TriggerOfferMessageRow {
  @PrimaryColumn({ type: 'text', name: 'message_id' }) messageId!: string;
  @Column({ type: 'text', name: 'firing_id' }) firingId!: string;
  @Column({ type: 'text', name: 'step_id' }) stepId!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'timestamptz' }) at!: Date;
}

export type TriggerOffersEvent = CrmIntegrationEvent<
  | 'CampaignRecipientTriggered'
  | 'CampaignTriggerSkipped'
  | 'CampaignMessageSent'
  | 'CampaignMessageSuppressed'
  | 'CampaignMessageBounced'
  | 'CampaignMessageDeferred'
>;

const MESSAGE_STREAM = 'campaignmessage-';
/** A firing id is a UUID: the last 36 characters of its recipient's message stream. */
const UUID_LENGTH = 36;

/**
 * The firing a message belongs to, from its stream `campaignmessage-<campaignId>-<firingId>`; a
 * message to a frozen audience is on `campaignmessage-<campaignId>-<customerId>` and belongs to none
 * (the message events do not carry the firing: the stream is the recipient's key).
 */
export function firingOfMessage(streamId: string | undefined, data: { campaignId: string; customerId: string }): string | undefined {
  if (!streamId?.startsWith(`${MESSAGE_STREAM}${data.campaignId}-`)) return undefined;
  const key = streamId.slice(MESSAGE_STREAM.length + data.campaignId.length + 1);
  return key.length === UUID_LENGTH && key !== data.customerId ? key : undefined;
}

/**
 * `marketing.trigger-offers` (issue 13 §4): beside the firings lists, what the campaign a firing
 * named did with it, and what became of each message it sent. A projection of its own (not more
 * tables of `marketing.trigger-timers`) so it is built from the start of the store wherever it is
 * deployed. Message events and the firing's decision travel with different keys (the campaign's, the
 * customer's), so a message may come before its firing's decision: each is kept on its own row.
 */
export function triggerOffersProjection(): Projection<TriggerOffersEvent> {
  return {
    name: 'marketing.trigger-offers',
    entities: [TriggerOfferRow, TriggerOfferMessageRow],
    handles: [
      'CampaignRecipientTriggered',
      'CampaignTriggerSkipped',
      'CampaignMessageSent',
      'CampaignMessageSuppressed',
      'CampaignMessageBounced',
      'CampaignMessageDeferred',
    ],
    async apply(event, m) {
      switch (event.type) {
        case 'CampaignRecipientTriggered':
          await m.getRepository(TriggerOfferRow).save({
            firingId: event.data.firingId,
            campaignId: event.data.campaignId,
            status: 'admitted',
            reason: null,
            control: event.data.control === true,
            at: new Date(event.data.triggeredAt),
          });
          return;
        case 'CampaignTriggerSkipped':
          await m.getRepository(TriggerOfferRow).save({
            firingId: event.data.firingId,
            campaignId: event.data.campaignId,
            status: 'skipped',
            reason: event.data.reason,
            control: false,
            at: new Date(event.data.skippedAt),
          });
          return;
        default: {
          const firingId = firingOfMessage(event.streamid, event.data);
          if (!firingId) return;
          const [status, reason, at] = messageState(event);
          await m.getRepository(TriggerOfferMessageRow).save({
            messageId: event.data.messageId,
            firingId,
            stepId: event.data.stepId,
            channel: event.data.channel,
            status,
            reason,
            at: new Date(at),
          });
        }
      }
    },
  };
}

type MessageEvent = Exclude<TriggerOffersEvent, { type: 'CampaignRecipientTriggered' | 'CampaignTriggerSkipped' }>;

function messageState(event: MessageEvent): [status: string, reason: string | null, at: string] {
  switch (event.type) {
    case 'CampaignMessageSent':
      return ['sent', null, event.data.sentAt];
    case 'CampaignMessageSuppressed':
      return ['suppressed', event.data.reason, event.data.suppressedAt];
    case 'CampaignMessageBounced':
      return ['bounced', event.data.kind, event.data.bouncedAt];
    case 'CampaignMessageDeferred':
      return ['deferred', event.data.reason, event.data.deferredAt];
  }
}

export interface TriggerOffer {
  campaignId: string;
  status: 'admitted' | 'skipped';
  reason?: string;
  control?: true;
  at: string;
  messages: { messageId: string; stepId: string; channel: string; status: string; reason?: string; at: string }[];
}

/** The offers of these firings (absent: its campaign has not decided yet), messages by step. */
export async function offersOf(m: EntityManager, firingIds: readonly string[]): Promise<Map<string, TriggerOffer>> {
  const offers = new Map<string, TriggerOffer>();
  if (firingIds.length === 0) return offers;
  const ids = [...firingIds];
  // One after the other: on embedded PGlite the manager has one connection.
  const rows = await m.getRepository(TriggerOfferRow).findBy({ firingId: In(ids) });
  const messages = await m.getRepository(TriggerOfferMessageRow).find({ where: { firingId: In(ids) }, order: { stepId: 'ASC', messageId: 'ASC' } });
  for (const r of rows) {
    offers.set(r.firingId, {
      campaignId: r.campaignId,
      status: r.status as TriggerOffer['status'],
      ...(r.reason !== null && { reason: r.reason }),
      ...(r.control && { control: true as const }),
      at: r.at.toISOString(),
      messages: messages
        .filter((x) => x.firingId === r.firingId)
        .map((x) => ({
          messageId: x.messageId,
          stepId: x.stepId,
          channel: x.channel,
          status: x.status,
          ...(x.reason !== null && { reason: x.reason }),
          at: x.at.toISOString(),
        })),
    });
  }
  return offers;
}
