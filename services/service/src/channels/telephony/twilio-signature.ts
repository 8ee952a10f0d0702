import { createHmac, timingSafeEqual } from 'node:crypto';

export type FormParams = Record<string, string | string[] | undefined>;

/**
 * The `X-Twilio-Signature` of a webhook request (Twilio's "Validating requests", also what Vonage's
 * and Plivo's Twilio-compatible modes send): base64 of HMAC-SHA1, keyed with the account's auth
 * token, over the full URL the provider called (with its query string) followed by every POST
 * parameter's name and value, sorted by name (a repeated name: each value, in order).
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Whether `signature` is the request's (compared in constant time). */
export function validTwilioSignature(authToken: string, url: string, params: FormParams, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
