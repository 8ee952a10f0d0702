import type { ConsentChannel } from '@crm/kernel';
import type { MessageSender, OutboundMessage, SendOutcome } from './message-sender';

/**
 * The embedded default for a channel with no provider configured (no `CRM_SMTP_URL`, no
 * `CRM_SMS_URL`): nothing leaves the machine; the message is accepted and its ids are logged —
 * never the address, the subject or the text (personal data stays out of logs).
 */
export class LoggingMessageSender implements MessageSender {
  constructor(
    readonly channel: ConsentChannel,
    private readonly log: (line: string) => void,
  ) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    this.log(
      `no ${this.channel} provider configured: message ${message.messageId} (campaign ${message.campaignId}, step ${message.stepId}${
        message.variantId ? `, variant ${message.variantId}` : ''
      }, customer ${message.customerId}) logged, not sent`,
    );
    return { status: 'accepted', providerId: `logged-${message.messageId}` };
  }
}
