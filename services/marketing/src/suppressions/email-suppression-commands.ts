import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  emailSuppressionDecider,
  emailSuppressionStream,
  type AddressSuppressionReason,
  type EmailSuppressionCommand,
  type EmailSuppressionEvent,
  type EmailSuppressionState,
} from '@crm/campaigns';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5, type Clock } from '@crm/kernel';
import { metadataFor, WRITE_STORE } from '@crm/relationship-api';
import { CLOCK, type Principal } from '@crm/service-kit';
import { COMPANY_ONLY } from '../campaigns/campaign-commands';
import { CampaignDirectory } from '../campaigns/campaign-directory';
import { EMAIL_ADDRESS_KEYS, type EmailAddressKeys } from './email-address-keys';

/** Fixed for good: the id of the suppression a message's bounce or complaint causes (one per message and reason). */
const SUPPRESSION_NAMESPACE = '9c1f4e7a-2d3b-4a8c-b6e5-0f1a2b3c4d5e';

/** What a bounce or a complaint on a campaign message suppresses, recorded by a system actor. */
export interface MessageSuppression {
  /** The address's key (`keyOf`), as the message recorded it when it was sent. */
  addressKey: string;
  reason: Exclude<AddressSuppressionReason, 'manual'>;
  campaignId: string;
  messageId: string;
  customerId: string;
  note?: string;
  at: string;
  actor: { type: 'system'; id: string };
  correlationId: string;
}

export interface SuppressionStatus {
  addressKey: string;
  state: EmailSuppressionState;
  /** Whether this call appended anything (false: it held already). */
  recorded: boolean;
}

/**
 * The suppression list's commands (issue 13 §3), each one stream `emailsuppression-<addressKey>`:
 * load, decide, append, then tell the in-memory list (the directory's) so the next e-mail of this
 * process is judged on it.
 *
 * Why a bounce's suppression is a second append and not part of the bounce's: the bounce is on the
 * message's stream, the suppression on the address's, and the store appends to one stream at a time.
 * So it is appended right after the bounce, with an event id derived from the message and the reason:
 * a retry, a replayed webhook or a second process stores it once. A crash between the two appends
 * loses the suppression for that one bounce (the next bounce of the address records it); a replayed
 * provider report records it then, because the report's handler suppresses even when the bounce
 * itself was known already.
 */
@Injectable()
export class EmailSuppressionCommands {
  private readonly handler: CommandHandler<EmailSuppressionState, EmailSuppressionCommand, EmailSuppressionEvent>;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    private readonly directory: CampaignDirectory,
    @Inject(EMAIL_ADDRESS_KEYS) private readonly keys: EmailAddressKeys,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, emailSuppressionDecider, { retries: 2 });
  }

  keyOf(address: string): string {
    return this.keys.keyOf(address);
  }

  /** Whether the dispatcher must not mail the address with this key (`keyOf`): the in-memory list, no read of the store. */
  isKeySuppressed(addressKey: string): boolean {
    return this.directory.suppressions.isSuppressed(addressKey);
  }

  /** A hard bounce (at the hand-over or reported later) or a complaint on a campaign message. */
  async fromMessage(s: MessageSuppression): Promise<SuppressionStatus> {
    const { addressKey } = s;
    return this.run(
      addressKey,
      {
        type: 'SuppressAddress',
        data: {
          addressKey,
          reason: s.reason,
          campaignId: s.campaignId,
          messageRef: s.messageId,
          customerId: s.customerId,
          by: s.actor.id,
          ...(s.note && { note: s.note.slice(0, 2000) }),
          at: s.at,
        },
      },
      { correlationId: s.correlationId, actor: s.actor, occurredAt: this.clock.now().toISOString(), visibility: COMPANY_ONLY },
      uuidV5(`${s.messageId}/${s.reason}`, SUPPRESSION_NAMESPACE),
    );
  }

  /** Staff put an address on the list by hand. */
  async manual(principal: Principal, address: string, note: string | undefined, correlationId?: string): Promise<SuppressionStatus> {
    const addressKey = this.keys.keyOf(address);
    return this.run(
      addressKey,
      { type: 'SuppressAddress', data: { addressKey, reason: 'manual', by: principal.subject, ...(note && { note }), at: this.clock.now().toISOString() } },
      metadataFor(principal, this.clock, COMPANY_ONLY, correlationId ?? randomUUID()),
    );
  }

  /** Staff take an address off the list, saying why: campaigns may mail it again. */
  async release(principal: Principal, address: string, reason: string, correlationId?: string): Promise<SuppressionStatus> {
    const addressKey = this.keys.keyOf(address);
    return this.run(
      addressKey,
      { type: 'ReleaseAddress', data: { addressKey, by: principal.subject, reason, at: this.clock.now().toISOString() } },
      metadataFor(principal, this.clock, COMPANY_ONLY, correlationId ?? randomUUID()),
    );
  }

  /** What the list says of an address, read from its stream (not the in-memory list: an answer to staff is exact). */
  async status(address: string): Promise<SuppressionStatus> {
    const addressKey = this.keys.keyOf(address);
    const { state } = await this.handler.load(emailSuppressionStream(addressKey));
    return { addressKey, state, recorded: false };
  }

  private async run(
    addressKey: string,
    command: EmailSuppressionCommand,
    metadata: Parameters<CommandHandler<EmailSuppressionState, EmailSuppressionCommand, EmailSuppressionEvent>['handle']>[2],
    eventId?: string,
  ): Promise<SuppressionStatus> {
    const r = await this.handler.handle(emailSuppressionStream(addressKey), command, metadata, eventId ? { eventId: () => eventId } : {});
    if (r.revision !== undefined) this.directory.suppressions.note(addressKey, r.state, Number(r.revision));
    return { addressKey, state: r.state, recorded: r.appended };
  }
}
