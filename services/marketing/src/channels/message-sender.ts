import type { ConsentChannel } from '@crm/kernel';

/**
 * The port every campaign message leaves through, one adapter per channel (issue 13 §3):
 * e-mail over SMTP (nodemailer → Mailpit in the infra suite), SMS through an HTTP provider,
 * phone as a call list the contact centre works, mail as a print list (CSV). The campaign
 * dispatcher decides who gets what and records it; an adapter only delivers.
 */
export interface OutboundMessage {
  /** The campaign message id (UUID): the provider's idempotency key, and how bounces and responses find the message. */
  messageId: string;
  campaignId: string;
  stepId: string;
  variantId?: string;
  customerId: string;
  channel: ConsentChannel;
  /** E-mail address, E.164 phone number, or postal address on one line per element. */
  to: string | string[];
  subject?: string;
  /** Plain-text body, merge fields already filled (escaped for its medium). */
  text: string;
  /** E-mail only: the HTML body (merge fields HTML-escaped). */
  html?: string;
  /** E-mail only: extra headers (`List-Unsubscribe`, `List-Unsubscribe-Post`, …). */
  headers?: Record<string, string>;
}

export type SendOutcome =
  /** The provider accepted the message (for a call or print list: it was listed). */
  | { status: 'accepted'; providerId?: string }
  /** A permanent refusal (unknown mailbox, invalid number): never retried, and counted as bounced. */
  | { status: 'bounced'; kind: 'hard'; reason: string }
  /** A temporary failure (server busy, rate limited): retried later by the dispatcher. */
  | { status: 'deferred'; reason: string; retryAfterMs?: number };

export interface MessageSender {
  readonly channel: ConsentChannel;
  send(message: OutboundMessage): Promise<SendOutcome>;
  close?(): Promise<void>;
}

/** Nest token: the senders by channel (`Map<ConsentChannel, MessageSender>`). */
export const MESSAGE_SENDERS = Symbol('MESSAGE_SENDERS');
