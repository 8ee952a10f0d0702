import type { ConsentChannel } from '@crm/kernel';
import type { MessageSender, OutboundMessage, SendOutcome } from '../../channels/message-sender';

/**
 * A sender for tests: keeps what it was given, and answers what the test scripts for an address
 * (a hard bounce, a deferral a few times) or `accepted`. A message id handed over twice is
 * recorded twice, so a test can see a duplicate.
 */
export class InMemoryMessageSender implements MessageSender {
  readonly sent: OutboundMessage[] = [];
  private readonly scripted = new Map<string, SendOutcome[]>();

  constructor(readonly channel: ConsentChannel) {}

  /** The next answers for messages to `to` (then `accepted`). */
  script(to: string, ...outcomes: SendOutcome[]): void {
    this.scripted.set(to, outcomes);
  }

  async send(message: OutboundMessage): Promise<SendOutcome> {
    this.sent.push(message);
    const next = this.scripted.get(String(message.to))?.shift();
    return next ?? { status: 'accepted', providerId: `mem-${this.sent.length}` };
  }

  to(address: string): OutboundMessage[] {
    return this.sent.filter((m) => String(m.to) === address);
  }
}
