import { Inject, Injectable } from '@nestjs/common';
import {
  campaignMessageReportDecider,
  campaignMessageStream,
  type CampaignMessageEvent,
  type CampaignMessageReportCommand,
  type CampaignMessagesState,
} from '@crm/campaigns';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5, type Clock } from '@crm/kernel';
import { CustomerCommands, NotFoundError, WRITE_STORE } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';
import { COMPANY_ONLY } from '../../../campaigns/campaign-commands';
import { CampaignDirectory, type MessageLocation } from '../../../campaigns/campaign-directory';
import { emailOf } from '../../../campaigns/dispatch/campaign-dispatcher';
import { ConsentCommands } from '../../../consent/consent-commands';
import { EmailSuppressionCommands } from '../../../suppressions/email-suppression-commands';
import { campaignMessageIdOf } from '../smtp-message-sender';
import type { DeliveryEventResultDto, EmailDeliveryEventDto } from './delivery-events.dto';

/** Fixed for good: the id of a message's late bounce (one per message, whichever report or process records it). */
const LATE_BOUNCE_NAMESPACE = '5f3a9c1e-2b7d-4e8f-a6c0-9d1b3e5f7a24';
/** Who records what the provider reported. */
const PROVIDER_ACTOR = { type: 'system' as const, id: 'email-provider' };

/**
 * What the e-mail provider reports about campaign messages after it accepted them (issue 13 §3),
 * each event one command on one stream — load, decide, append, nothing else:
 * - a hard bounce → `CampaignMessageBounced` (kind `async-hard`, schema version 2) on the message's
 *   stream, only if the message is `sent` there (so statistics count it sent and bounced);
 * - a complaint → the customer's e-mail consent withdrawn (source `complaint`, the message as
 *   evidence) on the consent stream, before the answer: no later message goes;
 * - both → the address the message went to on the suppression list (`async-hard-bounce`,
 *   `complaint`): a second append, on the address's stream, right after the first (see
 *   EmailSuppressionCommands), with an id derived from the message — so it is appended even when the
 *   bounce or withdrawal was known already (a replay repairs a suppression a crash lost);
 * - delivered, a soft bounce, or a message this CRM does not know → ignored, said so per event.
 * Every effect is idempotent (the decider records nothing the stream already says, and a late
 * bounce has an id derived from its message), so a replayed webhook changes nothing.
 */
@Injectable()
export class EmailDeliveryEventsHandler {
  private readonly messages: CommandHandler<CampaignMessagesState, CampaignMessageReportCommand, CampaignMessageEvent>;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: CampaignDirectory,
    private readonly consent: ConsentCommands,
    private readonly suppressions: EmailSuppressionCommands,
    private readonly customers: CustomerCommands,
  ) {
    // Version 2 of CampaignMessageBounced (kind async-hard): the only event this decider appends.
    this.messages = new CommandHandler(store, campaignMessageReportDecider, { retries: 2, schemaVersion: 2 });
  }

  async handle(events: readonly EmailDeliveryEventDto[], correlationId: string): Promise<DeliveryEventResultDto[]> {
    // The directory finds a message by its id; before it has read the store, every message would look unknown.
    await this.directory.ready;
    const results: DeliveryEventResultDto[] = [];
    for (const [index, event] of events.entries()) results.push({ index, type: event.type, ...(await this.one(event, correlationId)) });
    return results;
  }

  private async one(event: EmailDeliveryEventDto, correlationId: string): Promise<Omit<DeliveryEventResultDto, 'index' | 'type'>> {
    // Validated by the DTO: a reference to a campaign message.
    const messageId = campaignMessageIdOf(event.messageId)!;
    const ignored = (reason: string) => ({ messageId, outcome: 'ignored' as const, reason });
    const where = this.directory.findMessage(messageId);
    if (!where) return ignored('unknown message');
    if (where.channel !== 'email') return ignored(`a ${where.channel} message, not an e-mail`);
    // A provider's clock ahead of ours must not date a statement in our future.
    const at = new Date(Math.min(Date.parse(event.at), this.clock.now().getTime())).toISOString();
    switch (event.type) {
      case 'delivered':
        // No delivery event exists: a message counts as delivered while it is sent and not bounced.
        return ignored('delivered is not recorded: a sent message counts as delivered until it bounces');
      case 'bounce':
        if (event.bounceType === 'soft') return ignored('a soft bounce: the provider tries again');
        return this.bounce(messageId, where, event.reason ?? 'bounced (the provider gave no reason)', at, correlationId);
      case 'complaint':
        return this.complaint(messageId, where, at, event.reason, correlationId);
    }
  }

  private async bounce(messageId: string, where: MessageLocation, reason: string, at: string, correlationId: string) {
    const { campaignId, customerId, recipientKey, stepId } = where;
    const r = await this.messages.handle(
      campaignMessageStream(campaignId, recipientKey),
      { type: 'RecordLateBounce', data: { campaignId, customerId, messageId, stepId, channel: 'email', reason, at } },
      { correlationId, actor: PROVIDER_ACTOR, occurredAt: this.clock.now().toISOString(), visibility: COMPANY_ONLY },
      { eventId: () => uuidV5(`${messageId}/late-bounce`, LATE_BOUNCE_NAMESPACE) },
    );
    if (r.appended && r.revision !== undefined) this.directory.noteRecipient(campaignId, recipientKey, r.state, Number(r.revision));
    const status = r.state.steps[stepId]?.status;
    if (r.appended || status === 'bounced') await this.suppress(messageId, where, 'async-hard-bounce', reason, at, correlationId);
    if (r.appended) return { messageId, outcome: 'recorded' as const };
    if (status === 'bounced') return { messageId, outcome: 'unchanged' as const };
    return { messageId, outcome: 'ignored' as const, reason: `the message is ${status ?? 'not sent'}, not sent: nothing bounced` };
  }

  /**
   * The message's address on the suppression list: the key it was sent with (recorded on its
   * `CampaignMessageSent`), or — a message sent before the list existed — the customer's e-mail now.
   */
  private async suppress(
    messageId: string,
    where: MessageLocation,
    reason: 'async-hard-bounce' | 'complaint',
    note: string | undefined,
    at: string,
    correlationId: string,
  ): Promise<void> {
    const { campaignId, customerId, recipientKey, stepId } = where;
    let addressKey = this.directory.stepOf(campaignId, recipientKey, stepId)?.addressKey;
    if (addressKey === undefined) {
      const customer = await this.customers.get(customerId).catch(() => undefined);
      const address = customer && !customer.mergedInto ? emailOf(customer) : undefined;
      if (address === undefined) return;
      addressKey = this.suppressions.keyOf(address);
    }
    await this.suppressions.fromMessage({
      addressKey,
      reason,
      campaignId,
      messageId,
      customerId,
      ...(note && { note }),
      at,
      actor: PROVIDER_ACTOR,
      correlationId,
    });
  }

  private async complaint(messageId: string, where: MessageLocation, at: string, feedback: string | undefined, correlationId: string) {
    try {
      const r = await this.consent.complaint(
        { customerId: where.customerId, channel: 'email', campaignId: where.campaignId, messageId, complainedAt: at, ...(feedback && { feedback }) },
        correlationId,
      );
      await this.suppress(messageId, where, 'complaint', feedback, at, correlationId);
      return { messageId, outcome: r.recorded ? ('recorded' as const) : ('unchanged' as const) };
    } catch (error) {
      // The customer erased or merged away since: nobody left to withdraw for.
      if (error instanceof NotFoundError) return { messageId, outcome: 'ignored' as const, reason: 'the customer no longer exists' };
      throw error;
    }
  }
}
