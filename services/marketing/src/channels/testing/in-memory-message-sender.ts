import type { ConsentChannel } from '@crm/kernel';
import type { MessageSender, OutboundMessage, SendOutcome } from '../message-sender';

/** The recipient a test names: the address, or a list's lines joined. */
const recipient = (to: OutboundMessage['to']): string => (Array.isArray(to) ? to.join('\n') : to);

/**
 * A sender for tests (the only one: channel, consent and campaign specs share it). It keeps what it
 * was given and answers `accepted`, unless told otherwise in one of two ways:
 * - `failWith`: every later message to a recipient (or every message) gets a bounce, a deferral or a
 *   thrown error (a broken adapter), and is not kept — the channel never took it;
 * - `script`: the next messages to a recipient get these answers in turn (a hard bounce, a deferral a
 *   few times) and are kept, so a test can count the attempts and see a message id handed over twice.
 */
export class InMemoryMessageSender implements MessageSender {
  readonly sent: OutboundMessage[] = [];
  private readonly byRecipient = new Map<string, SendOutcome | Error>();
  private always?: SendOutcome | Error;
  private readonly scripted = new Map<string, SendOutcome[]>();

  constructor(readonly channel: ConsentChannel) {}

  /** Every later message to `to` (or, without `to`, every later message) gets this outcome. */
  failWith(outcome: SendOutcome | Error, to?: string): this {
    if (to === undefined) this.always = outcome;
    else this.byRecipient.set(to, outcome);
    return this;
  }

  /** The next answers for messages to `to` (then `accepted`). */
  script(to: string, ...outcomes: SendOutcome[]): void {
    this.scripted.set(to, outcomes);
  }

  /** Back to accepting everything, with nothing kept. */
  reset(): void {
    this.byRecipient.clear();
    this.always = undefined;
    this.scripted.clear();
    this.sent.length = 0;
  }

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const key = recipient(message.to);
    const told = this.byRecipient.get(key) ?? this.always;
    if (told instanceof Error) throw told;
    if (told) return told;
    this.sent.push(message);
    return this.scripted.get(key)?.shift() ?? { status: 'accepted', providerId: `memory-${this.sent.length}` };
  }

  /** The messages kept for `address`. */
  to(address: string): OutboundMessage[] {
    return this.sent.filter((m) => recipient(m.to) === address);
  }
}
