import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { uuidV5 } from '@crm/kernel';
import { CustomerCommands } from '@crm/relationship-api';
import { addressOf, normaliseMessageId, type InboundMail, type Principal } from '@crm/service-kit';
import { CampaignDirectory, type MessageLocation } from '../../../campaigns/campaign-directory';
import { RecordCampaignResponseHandler } from '../../../campaigns/record-response/record-response.handler';
import { campaignMessageIdOf } from '../smtp-message-sender';

/** Fixed for good: a reply's interaction id is derived from its Message-ID under this namespace (one response per e-mail). */
const REPLY_NAMESPACE = '0b6f2c4e-8d1a-4f3b-9e57-2a6c8d0e4f19';
/** Who records a customer's e-mail reply (the interaction's actor is the customer). */
const INBOUND_MAIL: Principal = { kind: 'staff', subject: 'inbound-mail', department: 'marketing', roles: [] };
/** The response field holds at most 2000 characters (RecordCampaignResponseDto). */
const MAX_RESPONSE = 2000;

export interface CampaignReplyReceipt {
  /**
   * `response`: recorded on the recipient's campaign episode; `duplicate`: this e-mail was recorded
   * already; `not-a-campaign-reply`: it names no campaign e-mail this CRM sent; `unknown-sender`: its
   * sender is not one of the recipient's addresses (a forward, say) — acknowledged, not recorded.
   */
  outcome: 'response' | 'duplicate' | 'not-a-campaign-reply' | 'unknown-sender';
  messageId: string;
  campaignId?: string;
  episodeId?: string;
  interactionId?: string;
}

/**
 * A customer's e-mail answer to a campaign e-mail (issue 13 §3). The campaign message is found by
 * the Message-ID it was sent with, named in In-Reply-To (else the newest in References); the sender
 * must be one of the recipient's e-mail addresses (contacts or e-mail identity) — mail clients
 * answer from the address the mail went to, and a customer may answer from another address of
 * theirs, but a forward answered by someone else is not the customer's response. The response goes
 * through the one command for campaign responses; its interaction id is derived from the reply's
 * Message-ID, so the provider posting the same mail twice records it once.
 */
@Injectable()
export class CampaignRepliesHandler {
  constructor(
    private readonly directory: CampaignDirectory,
    private readonly customers: CustomerCommands,
    private readonly recordResponse: RecordCampaignResponseHandler,
  ) {}

  async receive(mail: InboundMail, correlationId?: string): Promise<CampaignReplyReceipt> {
    // Without a Message-ID (rare) the mail's content stands in for it, as the service does.
    const messageId = normaliseMessageId(
      mail.messageId ?? `<${createHash('sha256').update(`${mail.from}\u0000${mail.subject}\u0000${mail.text}`).digest('hex')}@inbound.crm>`,
    );
    // The directory finds a message by its id; before it has read the store, every message would look unknown.
    await this.directory.ready;
    const where = this.campaignMessageOf(mail);
    if (!where) return { outcome: 'not-a-campaign-reply', messageId };
    const { campaignId, customerId } = where;
    const customer = await this.customers.get(customerId);
    const sender = addressOf(mail.from);
    const known = new Set(
      [...(customer?.contacts ?? []).map((c) => c.email), ...(customer?.identities ?? []).filter((i) => i.kind === 'email').map((i) => i.value)]
        .filter((a): a is string => !!a)
        .map((a) => a.toLowerCase()),
    );
    if (!sender || !known.has(sender)) return { outcome: 'unknown-sender', messageId, campaignId };
    const summary = mail.subject ? `${mail.subject}\n\n${mail.text}` : mail.text;
    const r = await this.recordResponse.handle(
      INBOUND_MAIL,
      campaignId,
      {
        customerId,
        channel: 'email',
        action: 'replied to the campaign e-mail',
        response: (summary.trim() || '(an empty reply)').slice(0, MAX_RESPONSE),
        interactionId: uuidV5(messageId, REPLY_NAMESPACE),
      },
      { correlationId },
    );
    return { outcome: r.appended ? 'response' : 'duplicate', messageId, campaignId, episodeId: r.episodeId, interactionId: r.id };
  }

  /** The campaign e-mail the mail answers: In-Reply-To first, then References from the newest. */
  private campaignMessageOf(mail: InboundMail): MessageLocation | undefined {
    for (const id of [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]) {
      const uuid = campaignMessageIdOf(id);
      const where = uuid ? this.directory.findMessage(uuid) : undefined;
      if (where?.channel === 'email') return where;
    }
    return undefined;
  }
}
