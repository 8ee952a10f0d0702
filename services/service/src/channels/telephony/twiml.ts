/**
 * The TwiML subset the IVR answers with (Twilio's markup; Vonage, Plivo, SignalWire and Telnyx
 * TeXML read it too): `<Say>`, `<Gather numDigits action>`, `<Enqueue>`, `<Redirect>`, `<Hangup/>`.
 */
export type TwimlVerb =
  { say: string } | { gather: { numDigits: number; action: string; say: string } } | { enqueue: string } | { redirect: string } | { hangup: true };

export const TWIML_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** Text as XML character data or an attribute value: the five special characters escaped, characters XML 1.0 cannot carry dropped. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function verb(v: TwimlVerb): string {
  if ('say' in v) return `<Say>${xmlEscape(v.say)}</Say>`;
  if ('gather' in v)
    return `<Gather numDigits="${v.gather.numDigits}" action="${xmlEscape(v.gather.action)}" method="POST"><Say>${xmlEscape(v.gather.say)}</Say></Gather>`;
  if ('enqueue' in v) return `<Enqueue>${xmlEscape(v.enqueue)}</Enqueue>`;
  if ('redirect' in v) return `<Redirect method="POST">${xmlEscape(v.redirect)}</Redirect>`;
  return '<Hangup/>';
}

export function twiml(verbs: readonly TwimlVerb[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.map(verb).join('')}</Response>`;
}
