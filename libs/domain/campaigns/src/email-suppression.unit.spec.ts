import { DomainRuleViolation } from '@crm/kernel';
import {
  emailSuppressionDecider,
  emailSuppressionStream,
  type EmailSuppressionCommand,
  type EmailSuppressionEvent,
  type EmailSuppressionState,
} from './email-suppression';

const addressKey = 'a'.repeat(64);
const bounce: EmailSuppressionCommand = {
  type: 'SuppressAddress',
  data: {
    addressKey,
    reason: 'hard-bounce',
    campaignId: '7d4c2f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    messageRef: '3b8e1f0a-6a51-5c1e-9d2f-0c7b9a4e2d11',
    customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
    by: 'campaign-dispatcher',
    note: '550 5.1.1 mailbox unknown',
    at: '2026-05-02T09:00:01.000Z',
  },
};
const manual: EmailSuppressionCommand = { type: 'SuppressAddress', data: { addressKey, reason: 'manual', by: 'mira', at: '2026-05-03T09:00:00.000Z' } };
const release: EmailSuppressionCommand = {
  type: 'ReleaseAddress',
  data: { addressKey, by: 'mira', reason: 'the customer fixed the mailbox', at: '2026-05-04T09:00:00.000Z' },
};

function given(events: EmailSuppressionEvent[]) {
  const state: EmailSuppressionState = events.reduce(emailSuppressionDecider.evolve, emailSuppressionDecider.initialState);
  return { state, when: (c: EmailSuppressionCommand) => emailSuppressionDecider.decide(c, state) };
}
const after = (...commands: EmailSuppressionCommand[]) => commands.reduce<EmailSuppressionEvent[]>((events, c) => [...events, ...given(events).when(c)], []);

describe('e-mail suppression decider', () => {
  it('is one stream per address key', () => {
    expect(emailSuppressionStream(addressKey)).toBe(`emailsuppression-${addressKey}`);
  });

  it('given nothing, when a hard bounce suppresses the address, then it is suppressed with why and what caused it', () => {
    const events = given([]).when(bounce);
    expect(events).toEqual([{ type: 'EmailAddressSuppressed', data: bounce.data }]);
    expect(given(events).state).toEqual({ suppressed: true, current: bounce.data });
  });

  it('given an address suppressed, when it is suppressed again (another bounce, a complaint, a replayed webhook, by hand), then nothing: the first reason stands', () => {
    const events = after(bounce);
    expect(given(events).when(bounce)).toEqual([]);
    expect(given(events).when(manual)).toEqual([]);
    expect(given(events).when({ type: 'SuppressAddress', data: { ...bounce.data, reason: 'complaint' } })).toEqual([]);
  });

  it('given an address suppressed, when staff release it with a reason, then it is no longer suppressed; a second release records nothing', () => {
    const events = after(bounce, release);
    expect(events.map((e) => e.type)).toEqual(['EmailAddressSuppressed', 'EmailAddressUnsuppressed']);
    expect(given(events).state).toEqual({ suppressed: false, released: release.data });
    expect(given(events).when(release)).toEqual([]);
  });

  it('given an address released, when it bounces again, then it is suppressed again', () => {
    const events = after(bounce, release, manual);
    expect(events.map((e) => e.type)).toEqual(['EmailAddressSuppressed', 'EmailAddressUnsuppressed', 'EmailAddressSuppressed']);
    expect(given(events).state.current?.reason).toBe('manual');
  });

  it('given nothing, when released, then nothing (never suppressed)', () => {
    expect(given([]).when(release)).toEqual([]);
  });

  it('refuses a key that is not an HMAC-SHA256 in hex (never an address in clear) and a release without a reason', () => {
    for (const key of ['sari@example.com', 'A'.repeat(64), 'a'.repeat(63)])
      expect(() => given([]).when({ ...manual, data: { ...manual.data, addressKey: key } })).toThrow(DomainRuleViolation);
    expect(() => given(after(bounce)).when({ ...release, data: { ...release.data, reason: '  ' } })).toThrow(DomainRuleViolation);
  });
});
