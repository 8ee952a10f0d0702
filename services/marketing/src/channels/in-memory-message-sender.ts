import type { ConsentChannel } from '@crm/kernel';
import type { MessageSender, OutboundMessage, SendOutcome } from './message-sender';

/**
 * A sender for tests: keeps every message it was given, and answers what it is told to — accepted
 * by default, or for one recipient (or every message) a bounce or a deferral, or a thrown error (a
 * broken adapter), so the dispatcher's handling of each can be tested without a server.
 */
export class InMemoryMessageSender implements MessageSender {
  readonly sent: OutboundMessage[] = [];
  private readonly byRecipient = new Map<string, SendOutcome | Error>();
  private always?: SendOutcome | Error;

  constructor(readonly channel: ConsentChannel) {}

  /** Every later message to `to` (or, without `to`, every later message) gets this outcome. */
  failWith(outcome: SendOutcome | Error, to?: string): this {
    if (to === undefined) this.always = outcome;
    else this.byRecipient.set(to, outcome);
    return this;
  }

  /** Back to accepting everything. */
  reset(): void {
    this.byRecipient.clear();
    this.always = undefined;
    this.sent.length = 0;
  }

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const key = Array.isArray(message.to) ? message.to.join('\n') : message.to;
    const told = this.byRecipient.get(key) ?? this.always;
    if (told instanceof Error) throw told;
    if (told) return told;
    this.sent.push(message);
    return { status: 'accepted', providerId: `memory-${this.sent.length}` };
  }
}
