import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a webhook's timestamp may be from now, either way: older is a replay or a stale retry, newer a wrong clock. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;
/** Header values longer than this are not ours (an id is a few dozen characters; a few signatures fit in 1,000). */
const MAX_HEADER = 1000;

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Why a webhook is refused (the route answers 401 with it). */
export class WebhookSignatureError extends Error {}

/**
 * The key a secret stands for: the provider's `whsec_<base64>` form is the decoded bytes (what
 * Standard Webhooks libraries sign with); any other text is its UTF-8 bytes.
 */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` — what a sender puts in `webhook-signature`. */
export function signWebhook(secret: string, id: string, timestamp: string, body: Buffer | string): string {
  return `v1,${createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

/**
 * The Standard Webhooks check (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature` (one or more space-separated `v1,<base64>`, so a sender can
 * rotate its secret) over the exact bytes received. Refused: a header missing or malformed, a
 * timestamp more than five minutes from `now` (a replay later than that is refused outright; within
 * it, the effects are idempotent), or no signature that matches. The comparison takes constant time.
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: Buffer, now: Date): { id: string; timestamp: Date } {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) throw new WebhookSignatureError('webhook-id, webhook-timestamp and webhook-signature are required');
  if (id.length > MAX_HEADER || signature.length > MAX_HEADER || !/^\d{1,12}$/.test(timestamp))
    throw new WebhookSignatureError('a webhook header is malformed');
  const at = Number(timestamp) * 1000;
  if (Math.abs(now.getTime() - at) > WEBHOOK_TOLERANCE_MS) throw new WebhookSignatureError('webhook-timestamp is more than 5 minutes from now');
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
  const matches = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches) throw new WebhookSignatureError('no webhook-signature matches');
  return { id, timestamp: new Date(at) };
}
