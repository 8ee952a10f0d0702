import type { Clock } from '@crm/kernel';
import type { CampaignListsStore } from '../campaign-lists';
import type { MessageSender, OutboundMessage, SendOutcome } from '../message-sender';
import { E164 } from '../sms/http-sms-sender';

/**
 * The phone channel: "sending" is putting the customer on the campaign's call list, which the
 * contact centre works (`GET /campaigns/{id}/call-list`) and answers with an outcome per call
 * (`POST …/call-list/{messageId}/outcome`, an interaction in the customer's timeline). A number
 * that is not E.164 cannot be dialled: a hard bounce.
 */
export class CallListSender implements MessageSender {
  readonly channel = 'phone' as const;

  constructor(
    private readonly lists: CampaignListsStore,
    private readonly clock: Clock,
  ) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const phone = Array.isArray(message.to) ? message.to[0] : message.to;
    if (typeof phone !== 'string' || !E164.test(phone)) return { status: 'bounced', kind: 'hard', reason: 'not an E.164 phone number' };
    await this.lists.addCall(message, phone, this.clock.now());
    return { status: 'accepted', providerId: `call-list/${message.messageId}` };
  }
}
