import nodemailer from 'nodemailer';
import type { MessageSender, OutboundMessage, SendOutcome } from '../message-sender';

/** SMTP connections kept open at once: a campaign of thousands is sent over a few reused connections, not one per message. */
const MAX_CONNECTIONS = 5;

/** What nodemailer attaches to a failure: the SMTP reply code when the server answered, an error code when it did not. */
interface SmtpError {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

/**
 * Campaign e-mail through an SMTP server (`smtp://user:password@host:port`, or `smtps://`), with
 * nodemailer over a pool of reused connections. Each message goes out with its text and HTML, its
 * own headers (`List-Unsubscribe`, `List-Unsubscribe-Post`), a Message-ID derived from the
 * campaign message id (`<messageId@sender-domain>`) and the id itself as `X-CRM-Message`, so a
 * bounce, a complaint or a reply names the message.
 *
 * What the server answers decides the outcome: a permanent refusal (SMTP 5xx) is a hard bounce,
 * never retried; a temporary one (4xx) or no answer at all (connection refused, timeout) is
 * deferred, for the dispatcher to try again.
 */
export class SmtpMessageSender implements MessageSender {
  readonly channel = 'email' as const;
  private readonly transport: nodemailer.Transporter;
  private readonly domain: string;

  /** `replyTo`: the marketing inbound-mail address (CRM_CAMPAIGN_REPLY_TO), so customers' answers reach POST /channels/email/inbound. */
  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly replyTo?: string,
  ) {
    const url = new URL(smtpUrl);
    // Query parameters are how nodemailer reads pool options from a URL (an options object with `url` drops the rest);
    // CRM_SMTP_URL may set its own (`?maxConnections=10&maxMessages=1000`).
    if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
    if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', String(MAX_CONNECTIONS));
    this.transport = nodemailer.createTransport(url.toString());
    this.domain = from.slice(from.lastIndexOf('@') + 1).replace(/>$/, '');
  }

  async send(message: OutboundMessage): Promise<SendOutcome> {
    try {
      const info = (await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html !== undefined && { html: message.html }),
        ...(this.replyTo && { replyTo: this.replyTo }),
        messageId: smtpMessageId(message.messageId, this.domain),
        // The campaign message id again, in a header of its own: a provider that replaces the Message-ID
        // (some relays do) still quotes it in its bounce and complaint reports (POST /channels/email/events).
        headers: { ...message.headers, [CRM_MESSAGE_HEADER]: message.messageId },
      })) as { messageId?: string; rejected?: unknown[] };
      // Several recipients, some refused: the message went to the others (a campaign message has one).
      return { status: 'accepted', ...(info.messageId && { providerId: info.messageId }) };
    } catch (error) {
      return smtpOutcome(error as SmtpError);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** The header every campaign e-mail carries its campaign message id in. */
export const CRM_MESSAGE_HEADER = 'X-CRM-Message';

/** The Message-ID a campaign message is sent with: the campaign message id at the sender's domain. */
export function smtpMessageId(messageId: string, domain: string): string {
  return `<${messageId}@${domain}>`;
}

/**
 * The campaign message id (a UUID), bare or as the Message-ID the SMTP sender gave the message
 * (`<uuid@sender-domain>`, with or without the angle brackets) — what a DSN, a provider or a reply quotes back.
 */
export const CAMPAIGN_MESSAGE_REFERENCE = /^<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(@[^\s<>@]{1,253})?>?$/i;

/** The inverse of `smtpMessageId`: the campaign message id (lower case) a reference names, or undefined. */
export function campaignMessageIdOf(reference: string): string | undefined {
  return CAMPAIGN_MESSAGE_REFERENCE.exec(reference.trim())?.[1].toLowerCase();
}

/** An SMTP failure as an outcome: 5xx (or an address nodemailer refuses itself) is permanent, a hard bounce; anything else is worth another try. */
export function smtpOutcome(error: SmtpError): SendOutcome {
  const reason = (error.response ?? error.message ?? error.code ?? 'SMTP failure').slice(0, 500);
  if (typeof error.responseCode === 'number' && error.responseCode >= 500 && error.responseCode < 600) return { status: 'bounced', kind: 'hard', reason };
  // Refused before any server was asked (no or no valid recipient): trying again would fail the same way.
  if (error.code === 'EENVELOPE' && error.responseCode === undefined) return { status: 'bounced', kind: 'hard', reason };
  return { status: 'deferred', reason };
}
