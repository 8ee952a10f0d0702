import type { MessageSender, OutboundMessage, SendOutcome } from '../message-sender';

/** E.164: a plus, a country code not starting with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** A provider that does not answer within this is treated as busy (deferred), not as a refusal. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** The JSON body posted to the provider (docs/marketing.md, Channels). */
export interface SmsProviderRequest {
  to: string;
  text: string;
  messageId: string;
}

/**
 * Campaign SMS through an HTTP provider: `POST <CRM_SMS_URL>` with a JSON body `{ to, text,
 * messageId }`, `Authorization: Bearer <CRM_SMS_TOKEN>` and `Idempotency-Key: <messageId>` (a
 * retried message is not sent twice by a provider that honours it). The answer decides the outcome:
 * 2xx accepted (the provider's `id`, if it answers one, is kept), 4xx other than 429 a permanent
 * refusal (hard bounce: a bad number, a blocked recipient), 429, 5xx, a timeout or no connection
 * deferred — with the provider's `Retry-After` (seconds or an HTTP date) when it gives one. A number
 * that is not E.164 bounces without a request.
 */
export class HttpSmsSender implements MessageSender {
  readonly channel = 'sms' as const;

  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly options: { timeoutMs?: number; now?: () => Date } = {},
  ) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const to = Array.isArray(message.to) ? message.to[0] : message.to;
    if (typeof to !== 'string' || !E164.test(to)) return { status: 'bounced', kind: 'hard', reason: 'not an E.164 phone number' };
    const body: SmsProviderRequest = { to, text: message.text, messageId: message.messageId };
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': message.messageId,
          ...(this.token && { authorization: `Bearer ${this.token}` }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      const e = error as Error;
      return { status: 'deferred', reason: e.name === 'TimeoutError' ? 'the SMS provider did not answer in time' : `SMS provider unreachable: ${e.message}` };
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) {
      const id = providerId(text);
      return { status: 'accepted', ...(id !== undefined && { providerId: id }) };
    }
    const reason = `SMS provider answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 429) return { status: 'bounced', kind: 'hard', reason };
    const retryAfterMs = retryAfter(response.headers.get('retry-after'), this.options.now?.() ?? new Date());
    return { status: 'deferred', reason, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
}

function providerId(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/** `Retry-After` (RFC 9110): delay-seconds or an HTTP date; anything else is ignored. */
export function retryAfter(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
