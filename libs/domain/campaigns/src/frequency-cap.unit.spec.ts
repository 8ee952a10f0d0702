import { DomainRuleViolation } from '@crm/kernel';
import { capReached, frequencyCapOf } from './frequency-cap';

const day = 24 * 60 * 60_000;
const now = Date.parse('2026-06-10T12:00:00.000Z');

describe('the frequency cap across campaigns', () => {
  it('reads "N per D days"; nothing set is no cap; anything else is refused naming the form', () => {
    expect(frequencyCapOf('3 per 7 days')).toEqual({ messages: 3, days: 7 });
    expect(frequencyCapOf('1 per 1 day')).toEqual({ messages: 1, days: 1 });
    expect(frequencyCapOf(undefined)).toBeUndefined();
    expect(frequencyCapOf('')).toBeUndefined();
    for (const bad of ['0 per 7 days', '3 per 0 days', '3/7', 'three per week', '3 per 7 days; drop table', '1000 per 7 days'])
      expect(() => frequencyCapOf(bad)).toThrow(DomainRuleViolation);
  });

  it('given two messages in the window, when a third is due under "2 per 7 days", then the cap is reached; one older than the window does not count', () => {
    const cap = { messages: 2, days: 7 };
    expect(capReached(cap, [now - day, now - 2 * day], now)).toBe(true);
    expect(capReached(cap, [now - day, now - 7 * day], now)).toBe(false);
    expect(capReached(cap, [now - day], now)).toBe(false);
    expect(capReached(undefined, [now, now, now], now)).toBe(false);
  });
});
