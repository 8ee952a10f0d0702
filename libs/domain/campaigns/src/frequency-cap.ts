import { DomainRuleViolation } from '@crm/kernel';

/**
 * A cap on campaign messages per customer across every campaign (issue 13 §3/§4): at most
 * `messages` handed over in any `days` days. Judged at send time, like consent: a message that would
 * exceed it is suppressed (`frequency-cap`), never postponed — an offer late is another offer.
 */
export interface FrequencyCap {
  messages: number;
  days: number;
}

const CAP = /^\s*([1-9]\d{0,2})\s+per\s+([1-9]\d{0,2})\s+days?\s*$/i;

/** `"3 per 7 days"` → `{messages: 3, days: 7}`; undefined or empty: no cap; anything else breaks `frequency-cap-setting`. */
export function frequencyCapOf(setting: string | undefined): FrequencyCap | undefined {
  if (setting === undefined || setting.trim() === '') return undefined;
  const m = CAP.exec(setting);
  if (!m) throw new DomainRuleViolation('frequency-cap-setting', `"${setting}": a frequency cap is "N per D days" (3 per 7 days), N and D from 1 to 999`);
  return { messages: Number(m[1]), days: Number(m[2]) };
}

/** Whether one more message at `now` (ms) would exceed the cap, given when the customer's other messages were sent (ms). */
export function capReached(cap: FrequencyCap | undefined, sentAt: Iterable<number>, now: number): boolean {
  if (!cap) return false;
  const since = now - cap.days * 24 * 60 * 60_000;
  let inWindow = 0;
  for (const at of sentAt) if (at > since && at <= now) inWindow++;
  return inWindow >= cap.messages;
}
