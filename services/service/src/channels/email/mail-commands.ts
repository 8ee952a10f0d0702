import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import {
  DomainRuleViolation,
  episodeStream,
  NotFoundError,
  mailDecider,
  mailThreadDecider,
  mailThreadStream,
  type MailAggregateState,
  type MailCommand,
  type MailEvent,
  type MailThreadCommand,
  type MailThreadEvent,
  type MailThreadState,
} from '@crm/relationship';
import { CustomerCommands, metadataFor, visibilityFor } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, addressOf, normaliseMessageId, type InboundMail, type Principal, type ServiceConfig } from '@crm/service-kit';
import { ChannelCases, channelPrincipal } from '../channel-cases';
import { namedUuid } from '../channel-ids';
import { CHANNEL_STORE } from '../channel-store';
import type { EmailSender, OutgoingMail } from './email-sender';

export { addressOf, normaliseMessageId, type InboundMail };

export interface MailReceipt {
  /** `threaded`: a reply in a case's thread; `new-case` / `continued-case`: a new thread of a known sender; `duplicate`: seen before; `unknown-sender`: not recorded. */
  outcome: 'threaded' | 'new-case' | 'continued-case' | 'duplicate' | 'unknown-sender';
  messageId: string;
  episodeId?: string;
}

export const OUTBOX_STREAM = 'mailoutbox';
const inboundMail = channelPrincipal('inbound-mail');
const outbox = channelPrincipal('mail-outbox');

/** The stream of one message: by a hash of its Message-ID (any characters may be in one). */
export const mailStream = (messageId: string) => `mail-${createHash('sha256').update(normaliseMessageId(messageId)).digest('hex')}`;

/** What an e-mail interaction's (sealed) response holds: the header lines the outbox and a reply need, then the text. */
export function mailResponse(headers: Record<string, string>, text: string): string {
  return `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}`)
    .join('\n')}\n\n${text}`;
}

export function parseMailResponse(response: string): { headers: Record<string, string>; text: string } {
  const split = response.indexOf('\n\n');
  const head = split < 0 ? response : response.slice(0, split);
  const headers: Record<string, string> = {};
  for (const line of head.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return { headers, text: split < 0 ? '' : response.slice(split + 2) };
}

/**
 * E-mail on cases, in and out. Inbound: a reply finds its case by In-Reply-To/References (the
 * Message-IDs' own streams: strongly consistent, no read model to lag); a new thread from a known
 * sender goes on the sender's recent open case or a new e-mail case; an unknown sender's mail is not
 * recorded (see docs/service.md). Outbound: a reply is an interaction on the case plus its message,
 * queued for the outbox, which sends it with the Message-ID and In-Reply-To it was recorded with.
 */
@Injectable()
export class MailCommands {
  private readonly mail: CommandHandler<MailAggregateState, MailCommand, MailEvent>;
  private readonly threads: CommandHandler<MailThreadState, MailThreadCommand, MailThreadEvent>;

  constructor(
    @Inject(CHANNEL_STORE) private readonly store: EventStore,
    private readonly cases: ChannelCases,
    private readonly customers: CustomerCommands,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.mail = new CommandHandler(store, mailDecider, { retries: 2 });
    this.threads = new CommandHandler(store, mailThreadDecider, { retries: 3 });
  }

  async receive(inbound: InboundMail): Promise<MailReceipt> {
    const at = this.now();
    // A message without a Message-ID (rare, but legal) is named by what it says, so a retry is the same message.
    const messageId = normaliseMessageId(
      inbound.messageId ?? `<${createHash('sha256').update(`${inbound.from}\u0000${inbound.subject}\u0000${inbound.text}`).digest('hex')}@inbound.crm>`,
    );
    const known = (await this.mail.load(mailStream(messageId))).state;
    let episodeId = known?.episodeId;
    let outcome: MailReceipt['outcome'] = known ? 'duplicate' : 'threaded';
    const customerId = await this.cases.customerByEmail(addressOf(inbound.from) ?? '');
    if (!episodeId) {
      // The newest Message-ID it names first: In-Reply-To, then References from the last.
      for (const id of [inbound.inReplyTo, ...[...inbound.references].reverse()].filter((x): x is string => !!x)) {
        episodeId = (await this.mail.load(mailStream(id))).state?.episodeId;
        if (episodeId) break;
      }
    }
    if (!episodeId) {
      if (!customerId) return { outcome: 'unknown-sender', messageId };
      const c = await this.cases.caseFor(inboundMail, customerId, { key: messageId, channel: 'email', name: inbound.subject.trim() || 'E-mail', at });
      episodeId = c.episodeId;
      outcome = c.opened ? 'new-case' : 'continued-case';
    }
    const recorded = await this.cases.record(inboundMail, episodeId, {
      key: messageId,
      kind: 'mail-in',
      channel: 'email',
      direction: 'inbound',
      actor: customerId ? { kind: 'customer', id: customerId } : { kind: 'system', id: 'inbound-mail' },
      action: 'sent an e-mail',
      response: mailResponse({ From: inbound.from, Subject: inbound.subject }, inbound.text),
      occurredAt: at,
    });
    // The case was resolved since: the answer opens a new case for the customer (the thread continues there).
    if (recorded === undefined && customerId && !known) {
      const c = await this.cases.caseFor(inboundMail, customerId, {
        key: `${messageId}/after-resolution`,
        channel: 'email',
        name: inbound.subject.trim() || 'E-mail',
        at,
      });
      episodeId = c.episodeId;
      outcome = 'new-case';
      await this.cases.record(inboundMail, episodeId, {
        key: messageId,
        kind: 'mail-in',
        channel: 'email',
        direction: 'inbound',
        actor: { kind: 'customer', id: customerId },
        action: 'sent an e-mail',
        response: mailResponse({ From: inbound.from, Subject: inbound.subject }, inbound.text),
        occurredAt: at,
      });
    }
    const interactionId = namedUuid('mail-in', messageId);
    await this.mail.handle(
      mailStream(messageId),
      {
        type: 'RecordMail',
        data: {
          messageId,
          direction: 'inbound',
          episodeId,
          interactionId,
          ...(inbound.inReplyTo && { inReplyTo: normaliseMessageId(inbound.inReplyTo) }),
          references: inbound.references.map(normaliseMessageId),
          at,
        },
      },
      this.metadata(inboundMail),
    );
    await this.threads.handle(
      mailThreadStream(episodeId),
      { type: 'ThreadMail', data: { episodeId, messageId, direction: 'inbound', interactionId } },
      this.metadata(inboundMail),
    );
    return { outcome, messageId, episodeId };
  }

  /**
   * An agent's reply on a case: recorded as an outbound e-mail interaction (to, subject and text
   * sealed in its response) with the Message-ID and In-Reply-To it will be sent with, and queued for
   * the outbox. Default recipient: the sender of the case's latest e-mail, else the customer's
   * e-mail identity; default subject: `Re:` that e-mail's subject.
   *
   * Four appends on four streams, each idempotent under ids named by the Message-ID (named by
   * `replyId`): a request that failed part-way is completed by retrying it with the same `replyId`.
   */
  async queueReply(
    principal: Principal,
    episodeId: string,
    reply: { replyId?: string; text: string; subject?: string; to?: string },
  ): Promise<{ messageId: string; interactionId: string; inReplyTo?: string; to: string; subject: string }> {
    const thread = (await this.threads.load(mailThreadStream(episodeId))).state.messages;
    const lastInbound = [...thread].reverse().find((m) => m.direction === 'inbound');
    const { customerId, responses, isCompanyCase } = await this.caseMail(episodeId);
    // Anything but one of the company's cases answers like a missing one (as the case routes do).
    if (!isCompanyCase) throw new NotFoundError(`case ${episodeId} not found`);
    const original = lastInbound ? parseMailResponse(responses.get(lastInbound.interactionId) ?? '') : undefined;
    const to = reply.to ?? (original?.headers.From && addressOf(original.headers.From)) ?? (customerId ? await this.customerAddress(customerId) : undefined);
    if (!to) throw new DomainRuleViolation('no-recipient', 'the case has no e-mail to answer and its customer no e-mail address: give `to`');
    const originalSubject = original?.headers.Subject ?? '';
    const subject = reply.subject ?? (originalSubject ? (/^re:/i.test(originalSubject) ? originalSubject : `Re: ${originalSubject}`) : 'Your case');
    const domain = this.config.CRM_MAIL_FROM.split('@')[1];
    // A retried request (same replyId) is the same message.
    const messageId = `<${reply.replyId ? namedUuid('reply', `${episodeId}/${reply.replyId}`) : randomUUID()}@${domain}>`;
    const inReplyTo = lastInbound?.messageId;
    const references = thread.map((m) => m.messageId).slice(-20);
    const interactionId = namedUuid('mail-out', messageId);
    // First the interaction: it checks that the caller may work on the case and that it is open.
    await this.cases.record(
      principal,
      episodeId,
      {
        key: messageId,
        kind: 'mail-out',
        channel: 'email',
        direction: 'outbound',
        actor: { kind: 'staff', id: principal.subject },
        action: 'replied by e-mail',
        response: mailResponse({ To: to, Subject: subject }, reply.text),
        occurredAt: this.now(),
      },
      { strict: true },
    );
    const meta = this.metadata(principal);
    await this.mail.handle(
      mailStream(messageId),
      { type: 'RecordMail', data: { messageId, direction: 'outbound', episodeId, interactionId, ...(inReplyTo && { inReplyTo }), references, at: this.now() } },
      meta,
    );
    await this.threads.handle(mailThreadStream(episodeId), { type: 'ThreadMail', data: { episodeId, messageId, direction: 'outbound', interactionId } }, meta);
    // The outbox's queue: one stream of Message-IDs, each queued once (the event's id is named by it).
    await this.store.appendToStream(
      OUTBOX_STREAM,
      [{ id: namedUuid('mail-queued', messageId), type: 'MailQueued', data: { messageId }, metadata: { ...meta, causationId: meta.correlationId } }],
      { expectedRevision: 'any' },
    );
    return { messageId, interactionId, ...(inReplyTo && { inReplyTo }), to, subject };
  }

  /** The queue from `after` (exclusive): Message-IDs and the revision to read on from. */
  async queued(after: bigint | undefined): Promise<{ messageIds: string[]; last: bigint | undefined }> {
    const events = await this.store.readStream(OUTBOX_STREAM, { fromRevision: after === undefined ? 0n : after + 1n, maxCount: 500 });
    return { messageIds: events.map((e) => (e.data as { messageId: string }).messageId), last: events.length ? events[events.length - 1].revision : after };
  }

  /**
   * One attempt at sending one queued reply: claimed first (so two outboxes never send at once),
   * then sent, then recorded sent — or failed, to be tried again after a doubling wait. Returns
   * whether the reply is settled (sent or given up) and can leave the outbox's memory.
   */
  async sendOne(messageId: string, sender: EmailSender): Promise<'sent' | 'failed' | 'waiting' | 'settled'> {
    const now = this.now();
    const claim = await this.mail.handle(mailStream(messageId), { type: 'ClaimSend', data: { messageId, now, leaseSeconds: 120 } }, this.metadata(outbox));
    const state = claim.state;
    if (!claim.appended) return !state || state.sentAt || state.abandoned || state.direction !== 'outbound' ? 'settled' : 'waiting';
    const attempt = state!.attempts;
    try {
      const mail = await this.outgoing(messageId, state!.episodeId, state!.interactionId, state!.inReplyTo, [...state!.references]);
      await sender.send(mail);
    } catch (error) {
      await this.mail.handle(
        mailStream(messageId),
        { type: 'RecordSendFailed', data: { messageId, attempt, error: error instanceof Error ? error.message : String(error), now: this.now() } },
        this.metadata(outbox),
      );
      return 'failed';
    }
    await this.mail.handle(mailStream(messageId), { type: 'RecordSent', data: { messageId, attempt, sentAt: this.now() } }, this.metadata(outbox));
    return 'sent';
  }

  async message(messageId: string): Promise<MailAggregateState> {
    return (await this.mail.load(mailStream(messageId))).state;
  }

  private async outgoing(
    messageId: string,
    episodeId: string,
    interactionId: string,
    inReplyTo: string | undefined,
    references: string[],
  ): Promise<OutgoingMail> {
    const { responses } = await this.caseMail(episodeId);
    const response = responses.get(interactionId);
    if (response === undefined) throw new Error(`the reply's interaction ${interactionId} is not on case ${episodeId}`);
    const { headers, text } = parseMailResponse(response);
    if (!headers.To) throw new Error(`the reply's interaction ${interactionId} names no recipient (erased?)`);
    return { from: this.config.CRM_MAIL_FROM, to: headers.To, subject: headers.Subject ?? '', text, messageId, ...(inReplyTo && { inReplyTo }), references };
  }

  /** The case's customer and its interactions' responses (revealed: the store unseals personal fields for the service). */
  private async caseMail(episodeId: string): Promise<{ customerId?: string; responses: Map<string, string>; isCompanyCase: boolean }> {
    const responses = new Map<string, string>();
    let customerId: string | undefined;
    let isCompanyCase = false;
    for (let from = 0n; ;) {
      const page = await this.store.readStream(episodeStream(episodeId), { fromRevision: from, maxCount: 1000 });
      for (const e of page) {
        const d = e.data as { customerId?: string; interaction?: { interactionId: string; response?: string } };
        customerId ??= d.customerId;
        if (e.type === 'EpisodeOpened') {
          const opened = e.data as { episodeType?: string; owner?: { kind?: string } };
          isCompanyCase = opened.episodeType === 'case' && opened.owner?.kind === 'department';
        }
        if (e.type === 'InteractionRecorded' && d.interaction?.response !== undefined) responses.set(d.interaction.interactionId, d.interaction.response);
      }
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    return { customerId, responses, isCompanyCase };
  }

  private async customerAddress(customerId: string): Promise<string | undefined> {
    const customer = await this.customers.get(customerId);
    return customer?.identities.find((i) => i.kind === 'email')?.value ?? customer?.contacts.find((c) => c.email)?.email;
  }

  private metadata(principal: Principal) {
    return metadataFor(principal, this.clock, visibilityFor(principal));
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
